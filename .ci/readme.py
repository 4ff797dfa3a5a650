"""README.md from nbs/index.ipynb, the same text (nbdev-readme needs Quarto, which these machines lack).

    python .ci/readme.py           # write README.md
    python .ci/readme.py --check   # fail if README.md differs from what index.ipynb gives
    python .ci/readme.py --run     # run README's python blocks, in order, in one fresh interpreter

Markdown cells are copied; visible code cells become ```python blocks (their outputs are left out);
links to other pages point into nbs/. `--run` skips the blocks whose first line is `# downloads` (they need the network), and says so; it writes the
folder of images the 'Your images' blocks read, and timm's TNT-S (random weights) into a Hugging Face cache they read offline.
"""
import json, re, subprocess, sys, tempfile
from pathlib import Path

def src(c): return c['source'] if isinstance(c['source'], str) else ''.join(c['source'])

def readme():
    nb = json.loads(Path('nbs/index.ipynb').read_text())
    parts = []
    for c in nb['cells']:
        s = src(c).strip()
        if c['cell_type'] == 'markdown': parts.append(re.sub(r'\]\((\d\d\w*\.ipynb)', r'](nbs/\1', s))
        elif c['cell_type'] == 'code' and not s.startswith('#| hide') and '#| echo: false' not in s:
            parts.append('```python\n' + '\n'.join(l for l in s.splitlines() if not l.startswith('#|')) + '\n```')
    return '\n\n'.join(parts) + '\n'

NEEDS_NETWORK = '# downloads'   # the first line of a block that needs the network

def blocks(text): return re.findall(r'^```python\n(.*?)^```', text, re.M | re.S)

def your_images(d:Path, per_class:int=12):
    "What the 'Your images' blocks expect: my_images/<class>/*.jpg (photos of two colours, with noise)."
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    for c, rgb in (('cat', (200, 120, 40)), ('dog', (40, 90, 200))):
        (d/'my_images'/c).mkdir(parents=True)
        for i in range(per_class):
            a = np.clip(np.array(rgb) + rng.normal(0, 40, (180 + i, 240, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(a).save(d/'my_images'/c/f'{i}.jpg')

def hub_cache(d:Path)->dict:
    "A Hugging Face cache that holds timm's TNT-S (random weights, timm's layout) where `pretrained=True` looks, and the environment that reads it offline."
    import timm, safetensors.torch
    snap = d/'hf'/'hub'/'models--timm--tnt_s_patch16_224.in1k'
    (snap/'refs').mkdir(parents=True); (snap/'refs'/'main').write_text('0'*40)
    (snap/'snapshots'/('0'*40)).mkdir(parents=True)
    safetensors.torch.save_file(timm.create_model('tnt_s_patch16_224').state_dict(), snap/'snapshots'/('0'*40)/'model.safetensors')
    return dict(HF_HOME=str(d/'hf'), HF_HUB_OFFLINE='1')

def run():
    import os
    todo = [b for b in blocks(Path('README.md').read_text()) if NEEDS_NETWORK not in b]
    skipped = len(blocks(Path('README.md').read_text())) - len(todo)
    with tempfile.TemporaryDirectory() as d:   # a fresh interpreter, outside the repository, as a reader would paste them
        your_images(Path(d)); env = {**os.environ, **hub_cache(Path(d))}
        r = subprocess.run([sys.executable, '-c', '\n'.join(todo)], cwd=d, capture_output=True, text=True, env=env)
    if r.returncode: sys.exit(f"README python blocks failed:\n{r.stderr[-3000:]}")
    print(f"README: {len(todo)} python blocks ran as pasted ('Your images' on a folder this check wrote, with random TNT-S weights in an offline hub cache); "
          f"{skipped} skipped (they download pretrained weights)")

if __name__ == '__main__':
    if '--run' in sys.argv: run()
    elif '--check' in sys.argv:
        if Path('README.md').read_text() != readme(): sys.exit("README.md differs from nbs/index.ipynb: run `python .ci/readme.py`")
        print("README.md matches nbs/index.ipynb")
    else: Path('README.md').write_text(readme()); print("wrote README.md")
