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

class Refuse:
    "Refuse top-level modules that only distributions outside `allowed` provide."
    def find_spec(self, name, path=None, target=None):
        top = name.partition('.')[0]
        dists = owners.get(top)
        if dists and not any(norm(d) in allowed for d in dists):
            raise ModuleNotFoundError(f"No module named {top!r} (installed here, but not a dependency of tnt-nb)", name=top)
        return None

sys.meta_path.insert(0, Refuse())
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
