__version__ = "0.1.0"

import warnings as _warnings
# fastai's layers module calls `torch.jit.script` when it is imported, and torch 2.14 deprecates that with a
# FutureWarning (and a path inside site-packages) that every `tnt-train` run would print. It is about fastai's
# code, not the user's or ours; this one message is silenced, every other warning stays.
_warnings.filterwarnings('ignore', message='`torch.jit.script` is deprecated', category=FutureWarning)

from . import api as _api   # timm's model API on TNT (forward_intermediates, set_input_size, reset_classifier, the hooks, tnt_args): every model has it
from . import hub as _hub   # registers tnt_nb_ti/s/b_patch16_224, tnt_nb_digits_patch8_32 and tnt_nb_digits_fast_patch8_32 (with its shipped Fashion-MNIST weights) with timm (timm.create_model, fastai's vision_learner)
try: from . import fused as _fused   # TNTBlock.inner's fused path (inner_impl 'triton' or 'auto'); needs Triton 3.4+ and torch 2.4+
except Exception: _fused = None      # without them every inner_impl keeps the PyTorch layers
