"""Import every module of the installed tnt_nb with only what `pip install tnt-nb` brings: the distributions
its metadata requires, and theirs, transitively (no extras). Any other installed package (IPython, nbdev, spacy
... which the dev venv has) is refused at import, as on a user's machine that lacks it.
Usage: python .ci/deps.py  (with the wheel's site first on PYTHONPATH)."""
import importlib, importlib.metadata as md, pkgutil, re, sys

def closure(name, seen=None):
    seen = set() if seen is None else seen
    key = re.sub(r'[-_.]+', '-', name).lower()
    if key in seen: return seen
    seen.add(key)
    try: reqs = md.requires(name) or []
    except md.PackageNotFoundError: return seen   # an optional dependency not installed here: nothing to allow
    for r in reqs:
        if re.search(r'extra\s*==', r): continue
        closure(re.match(r'[A-Za-z0-9_.-]+', r)[0], seen)
    return seen

allowed = closure('tnt-nb')
owners = md.packages_distributions()   # top-level module -> distributions that provide it
def norm(d): return re.sub(r'[-_.]+', '-', d).lower()

class Refuse:
    "Refuse top-level modules that only distributions outside `allowed` provide."
    def find_spec(self, name, path=None, target=None):
        top = name.partition('.')[0]
        dists = owners.get(top)
        if dists and not any(norm(d) in allowed for d in dists):
            raise ModuleNotFoundError(f"No module named {top!r} (installed here, but not a dependency of tnt-nb)", name=top)
        return None

sys.meta_path.insert(0, Refuse())
import tnt_nb
mods = [m.name for m in pkgutil.iter_modules(tnt_nb.__path__)]
for m in mods: importlib.import_module(f'tnt_nb.{m}')
from tnt_nb.cli import train_main
from tnt_nb.bench import bench_main
from tnt_nb.experiments import experiments_main
refused = sorted({top for top, ds in owners.items() if not any(norm(d) in allowed for d in ds)} & {'IPython', 'nbdev', 'execnb', 'spacy'})
print(f"{len(mods)} modules of tnt_nb import with only its {len(allowed)} required distributions (refused, e.g.: {', '.join(refused)})")
