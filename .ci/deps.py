"""Import every module of the installed tnt_nb with only what `pip install tnt-nb` brings: the distributions its
metadata requires on this platform, and theirs, transitively (extras followed where a requirement names them,
environment markers evaluated as pip does). Any other installed package (IPython, nbdev, execnb ... which the dev
venv has) is refused at import, as on a user's machine that lacks it.
Usage: python .ci/deps.py SITE  (with the wheel's SITE first on PYTHONPATH)."""
import importlib, importlib.metadata as md, pkgutil, re, sys
from packaging.requirements import Requirement

def norm(name): return re.sub(r'[-_.]+', '-', name).lower()

def closure(name, extras=frozenset(), seen=None):
    "Names of the distributions `name[extras]` needs here, itself included."
    seen = set() if seen is None else seen
    if (norm(name), extras) in seen: return seen
    seen.add((norm(name), extras))
    try: reqs = md.requires(name) or []
    except md.PackageNotFoundError: sys.exit(f"{name} is required but not installed: the check cannot tell what a user gets")
    for r in map(Requirement, reqs):
        if r.marker is None or any(r.marker.evaluate({'extra': e}) for e in {''} | set(extras)):
            closure(r.name, frozenset(r.extras), seen)
    return seen

allowed = {n for n, _ in closure('tnt-nb')}
owners = md.packages_distributions()   # top-level module -> distributions that provide it
assert owners.get('IPython') and owners.get('torch'), "importlib.metadata maps no modules to distributions: the check would prove nothing"

# A module that only distributions outside `allowed` provide is made absent, as on a user's machine that lacks it:
# `import` fails with ModuleNotFoundError and `importlib.util.find_spec` answers None (torch probes optional modules
# such as onnx that way), because its entry in sys.modules is None.
refused_tops = sorted(top for top, dists in owners.items()
                      if not any(norm(d) in allowed for d in dists) and top not in sys.modules and top.isidentifier())
for top in refused_tops: sys.modules[top] = None
for refused in ('IPython', 'nbdev', 'execnb'):   # the guard works: what the dev venv has and tnt-nb does not need is refused
    try: importlib.import_module(refused)
    except ModuleNotFoundError: pass
    else: sys.exit(f"{refused} imported: the guard does not refuse what tnt-nb does not require")
import tnt_nb
if len(sys.argv) > 1 and not tnt_nb.__file__.startswith(sys.argv[1]): sys.exit(f"tnt_nb came from {tnt_nb.__file__}, not from the wheel's {sys.argv[1]}")
mods = [m.name for m in pkgutil.iter_modules(tnt_nb.__path__)]
for m in mods: importlib.import_module(f'tnt_nb.{m}')
from tnt_nb.cli import train_main, predict_main
from tnt_nb.bench import bench_main
from tnt_nb.experiments import experiments_main
print(f"{len(mods)} modules of tnt_nb import with only the {len(allowed)} distributions it requires here; IPython, nbdev and execnb refused")
