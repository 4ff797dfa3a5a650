"""Check the docs site as a reader sees it, without Quarto.

    python .ci/site.py source        # before nbdev-proc-nbs: no cell mixes imports with other code, and no page
                                     # imports a module that a later page of the sidebar defines
    python .ci/site.py pages OUT     # after nbdev-proc-nbs: every page processed, outputs clean, the model's code
                                     # on its pages,
                                     # rendered to OUT/*.html, opened in headless Chromium (OUT/*.png)

Every failure names the page and the cell (index in the source notebook, as Jupyter counts from 0).
"""
import ast, base64, copy, glob, json, re, shutil, subprocess, sys
import yaml
from pathlib import Path

NBS, PROC = Path('nbs'), Path('_proc')
EXPORTS = {'export', 'exports', 'exporti', 'exec_doc'}
MATHJAX = Path('/usr/share/javascript/mathjax/MathJax.js')
MAX_PAGE, MAX_IMG = 1.5*2**20, 150*2**10

def pages(): return sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith('_'))
def src(c): return c['source'] if isinstance(c['source'], str) else ''.join(c['source'])
def directives(s): return {l.split(':')[0][3:].strip().split()[0] for l in s.splitlines() if l.startswith('#|') and len(l) > 3}

def check_source():
    "nbdev's doc build runs every cell that contains an import (anywhere in it) out of order: such a cell must hold imports only."
    bad = []
    for f in pages():
        for i, c in enumerate(json.loads(f.read_text())['cells']):
            s = src(c)
            if c['cell_type'] != 'code' or 'nbdev_export()' in s or directives(s) & EXPORTS: continue
            try: tree = ast.parse('\n'.join(l for l in s.splitlines() if not l.lstrip().startswith(('%', '!'))))
            except SyntaxError: continue
            if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree)) and \
               not all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body):
                bad.append(f"{f.name} cell {i}: imports mixed with other code ({s.splitlines()[0][:60]!r})")
    return bad

BAR = re.compile(r'█|\|[-█]{20,}\||Epoch \d+/\d+ :|\r')
WARN = re.compile(r'\b\w*Warning\b:|warnings\.warn\(|^W\d{4} ', re.M)
PATH = re.compile(r'(?<![\w.:/~-])(/(?:tmp|home|root|work|usr|opt|var|private|Users|mnt|srv)/[\w.-]+|[A-Za-z]:\\\\|site-packages)')

def _texts(o):
    "Text of an output, for the checks (stream text, plain text, HTML, markdown)."
    if o['output_type'] == 'stream': return [''.join(o['text'])]
    if o['output_type'] == 'error': return [o.get('ename', '') + ': ' + o.get('evalue', '')]
    d = o.get('data', {})
    return [''.join(d[k]) if isinstance(d[k], list) else d[k] for k in ('text/plain', 'text/html', 'text/markdown') if k in d]

def check_outputs(name, nb, ids):
    "Problems in the stored outputs of one processed page."
    bad = []
    for c in nb['cells']:
        where = f"{name} cell {ids.get(c.get('id'), '?')}"
        for o in c.get('outputs', []):
            t = o['output_type']
            if t == 'error': bad.append(f"{where}: stored error {o.get('ename')}: {o.get('evalue', '')[:100]}")
            if t == 'stream' and o.get('name') == 'stderr': bad.append(f"{where}: stderr output {''.join(o['text'])[:100]!r}")
            for txt in _texts(o):
                if BAR.search(txt): bad.append(f"{where}: console progress bar in the output")
                if (m := WARN.search(txt)): bad.append(f"{where}: warning in the output ({txt[max(0, m.start()-60):m.end()+60]!r})")
                if (m := PATH.search(txt)): bad.append(f"{where}: machine path {m.group(0)!r} in the output")
            for k, v in o.get('data', {}).items():
                if k.startswith('image/') and k != 'image/svg+xml':
                    n = len(base64.b64decode(''.join(v) if isinstance(v, list) else v))
                    if n > MAX_IMG: bad.append(f"{where}: {k} of {n/1024:.0f} KB (at most {MAX_IMG/1024:.0f} KB)")
    return bad

OPTION = re.compile(r'^#\|.*\n?', re.M)
CALLOUT = re.compile(r'^::: *\{\.callout-(\w+)[^}]*\}\n(?:## *([^\n]+)\n)?(.*?)^:::$', re.M | re.S)
STYLE = """<style>
.callout {border-left: 4px solid #3b82f6; background: #f3f7ff; padding: .4em 1em; margin: 1em 0; border-radius: 3px}
.callout-warning {border-left-color: #f59e0b; background: #fffaf0}
.callout-tip {border-left-color: #10b981; background: #f0fdf7}
.callout-title {font-weight: 600; margin: .3em 0}
details.exported-source > summary {color: #555; font-size: .9em; cursor: pointer}
</style>"""

def callouts(md):
    "Quarto's `::: {.callout-note}` blocks (with an optional `## Title` line) as HTML boxes, as Quarto shows them."
    from nbconvert.filters.markdown_mistune import markdown2html_mistune   # the body is markdown (links, code, TeX)
    def box(m):
        kind, head, body = m.group(1), m.group(2), m.group(3).strip()
        title = f'<p class="callout-title">{head.strip()}</p>' if head else ''
        html = markdown2html_mistune(body).replace('\n', ' ')
        return f'<div class="callout callout-{kind}">{title}{html}</div>'
    return CALLOUT.sub(box, md)

def for_nbconvert(nb):
    """What Quarto would show: no front-matter cell, no inputs of `echo: false` cells, no cell options (`#| ...` lines),
    `exports` cells as nbdev's folded-open "Exported source", callouts as boxes, no nbdev-only keys."""
    nb = copy.deepcopy(nb)
    cells = [{'cell_type': 'markdown', 'metadata': {}, 'source': STYLE, 'id': 'page-style'}]
    for c in nb['cells']:
        c.pop('has_sd', None)
        c.get('metadata', {}).pop('execution', None)   # nbdev's timings, which nbformat's schema rejects
        if c['cell_type'] == 'raw' and src(c).startswith('---'):   # Quarto shows the front matter as the page's title block
            fm = yaml.safe_load(src(c).strip().strip('-')) or {}
            if fm.get('title'):
                head = f"# {fm['title']}" + (f"\n\n> {fm['description']}" if fm.get('description') else '')
                cells.append({'cell_type': 'markdown', 'metadata': {}, 'source': head, 'id': 'title-block'})
            continue
        if c['cell_type'] == 'markdown': c['source'] = callouts(src(c))
        if c['cell_type'] == 'code':
            s = src(c)
            if '#| echo: false' in s: c.setdefault('metadata', {})['tags'] = ['remove_input']
            code = OPTION.sub('', s).strip('\n')
            fold = re.search(r'^#\|\s*code-fold:\s*(show|true)\s*$', s, re.M)
            if fold:   # nbdev's add_fold (exported source, folded open under its show_doc), or a cell folded shut by its author
                summary = (re.search(r'^#\|\s*code-summary:\s*"?([^"\n]*)"?', s, re.M) or [None, 'Code'])[1]
                state = ' open' if fold.group(1) == 'show' else ''
                cells.append({'cell_type': 'markdown', 'metadata': {}, 'id': (c.get('id') or 'x') + '-src',
                              'source': f'<details{state} class="exported-source"><summary>{summary}</summary>\n\n```python\n{code}\n```\n\n</details>'})
                if not c.get('outputs'): continue
                c['source'] = ''; c.setdefault('metadata', {})['tags'] = ['remove_input']
            else: c['source'] = code
        cells.append(c)
    nb['cells'] = cells
    return nb

LESSON_MODULES = ('layers', 'block', 'model', 'complexity')

def check_visible_source():
    "Every public class and function of the model's modules has its source on its page (an `exports` cell that defines it)."
    import importlib, inspect
    bad = []
    for f in pages():
        nb = json.loads(f.read_text())
        exp = next((m.group(1) for c in nb['cells'] if c['cell_type'] == 'code' for m in [re.search(r'^#\|\s*default_exp\s+(\S+)', src(c), re.M)] if m), None)
        if exp not in LESSON_MODULES: continue
        shown = set()
        for c in json.loads((PROC/f.name).read_text())['cells']:
            if c['cell_type'] != 'code' or 'code-summary: "Exported source"' not in src(c): continue
            shown |= {n.name for n in ast.parse(OPTION.sub('', src(c))).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        mod = importlib.import_module(f'tnt_nb.{exp}')
        for n in getattr(mod, '__all__', []):
            o = getattr(mod, n)
            if (inspect.isclass(o) or inspect.isfunction(o)) and o.__module__ == mod.__name__ and n not in shown:
                bad.append(f"{f.name}: the source of {exp}.{n} is not on the page (make its cell `#| exports`)")
    return bad

def check_sidebar():
    """No page imports a tnt_nb module that a later page of the sidebar defines (the home page, which shows the whole
    library at work, excepted): a reader who follows the sidebar has met everything a page uses."""
    order = []
    def walk(items):
        for it in items:
            if isinstance(it, str): order.append(it)
            elif isinstance(it, dict) and 'contents' in it: walk(it['contents'])
            elif isinstance(it, dict) and 'href' in it: order.append(it['href'])
    walk(yaml.safe_load((NBS/'sidebar.yml').read_text())['website']['sidebar']['contents'])
    names = [p.name for p in pages()]
    bad = [f"sidebar.yml: page {n} is missing" for n in names if n not in order]
    defined, uses = {}, {}
    for f in pages():
        nb = json.loads(f.read_text()); u = set()
        for c in nb['cells']:
            if c['cell_type'] != 'code': continue
            s = src(c)
            if (m := re.search(r'^#\|\s*default_exp\s+(\S+)', s, re.M)): defined[m.group(1)] = f.name
            try: tree = ast.parse('\n'.join(l for l in s.splitlines() if not l.lstrip().startswith(('%', '!'))))
            except SyntaxError: continue
            for n in ast.walk(tree):
                if isinstance(n, ast.ImportFrom) and n.module and n.module.split('.')[0] == 'tnt_nb':
                    sub = n.module.split('.')[1:]
                    u |= {sub[0]} if sub else {a.name for a in n.names}
                elif isinstance(n, ast.ImportFrom) and n.level and n.module: u.add(n.module.split('.')[0])
                elif isinstance(n, ast.Import):
                    u |= {a.name.split('.')[1] if '.' in a.name else '__init__' for a in n.names if a.name.split('.')[0] == 'tnt_nb'}
        uses[f.name] = u
    defined['__init__'] = defined.get('hub')   # `import tnt_nb` registers the models with timm: the Weights page's module
    pos = {n: i for i, n in enumerate(order)}
    for page, mods in uses.items():
        if page == 'index.ipynb' or page not in pos: continue
        for m in sorted(mods):
            d = defined.get(m)
            if d and d in pos and pos[d] > pos[page]:
                bad.append(f"{page} uses tnt_nb.{m}, which {d} defines later in the sidebar: move the page, or the code")
    return bad

def title(nb):
    fm = next((src(c) for c in nb['cells'] if c['cell_type'] == 'raw' and src(c).startswith('---')), '')
    return (yaml.safe_load(fm.strip().strip('-')) or {}).get('title') if fm else None

def render(out):
    "nbconvert every processed page to HTML in `out`, MathJax served from Debian's libjs-mathjax; return {page: html path}."
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    cfg = Config({'TagRemovePreprocessor': {'enabled': True, 'remove_input_tags': ['remove_input']}})
    kw = {'mathjax_url': f"file://{MATHJAX}?config=TeX-AMS_CHTML-full"} if MATHJAX.exists() else {}
    ex = HTMLExporter(config=cfg, template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True, **kw)
    res = {}
    for f in pages():
        nb = json.loads((PROC/f.name).read_text())
        node = nbformat.reads(json.dumps(for_nbconvert(nb)), as_version=4)
        html, _ = ex.from_notebook_node(node, resources={'metadata': {'name': title(nb) or f.stem}})
        p = out/f"{f.stem}.html"; p.write_text(html); res[f.name] = p
    return res

def chromium():
    return shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--allow-file-access-from-files']

def browse(html, png, prof):
    "Open `html` in headless Chromium: screenshot to `png`, return the DOM after scripts (MathJax) ran."
    base = [chromium(), *FLAGS, f'--user-data-dir={prof}', '--virtual-time-budget=15000']
    subprocess.run(base + ['--window-size=1280,2400', f'--screenshot={png}', html.absolute().as_uri()], capture_output=True, timeout=120)
    dom = subprocess.run(base + ['--dump-dom', html.absolute().as_uri()], capture_output=True, text=True, timeout=120)
    return dom.stdout

def check_methods():
    "Every documented public method of an exported class (and every `@patch`) is shown on some page by `show_doc`."
    import importlib, inspect, pkgutil, tnt_nb
    shown = set()
    for f in PROC.glob('*.ipynb'):
        for c in json.loads(f.read_text())['cells']: shown |= set(re.findall(r'show_doc\(([\w.]+)', src(c)))
    bad = []
    for mi in pkgutil.iter_modules(tnt_nb.__path__):
        if mi.name.startswith('_'): continue
        mod = importlib.import_module(f'tnt_nb.{mi.name}')
        for n in getattr(mod, '__all__', []):
            o = getattr(mod, n)
            if not (inspect.isclass(o) and o.__module__ == mod.__name__): continue
            for k, f in vars(o).items():
                if k.startswith('_') or not inspect.isfunction(f) or not f.__doc__ or f.__name__ != k or not f.__qualname__.startswith(n + '.'): continue  # (an alias, such as Attention.eq1, is documented under its own name)
                if f'{n}.{k}' not in shown: bad.append(f"{mi.name}: {n}.{k} has a docstring but no page shows it (add show_doc({n}.{k}))")
    return bad

def check_pages(out):
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    bad = [f"{f.name}: not processed by nbdev-proc-nbs (missing from {PROC}/)" for f in pages() if not (PROC/f.name).exists()]
    if bad: return bad
    for f in pages():
        ids = {c.get('id'): i for i, c in enumerate(json.loads(f.read_text())['cells'])}
        bad += check_outputs(f.name, json.loads((PROC/f.name).read_text()), ids)
    bad += check_methods() + check_visible_source()
    htmls = render(out)
    for name, p in htmls.items():
        if p.stat().st_size > MAX_PAGE: bad.append(f"{name}: rendered page is {p.stat().st_size/2**20:.1f} MB (at most 1.5 MB)")
    if not chromium(): return bad + ["chromium is not installed: apt-get install chromium"]
    prof = out/'.chromium'
    for name, p in htmls.items():
        dom = browse(p, p.with_suffix('.png'), prof)
        if not dom.strip(): bad.append(f"{name}: Chromium did not open the page"); continue
        if not p.with_suffix('.png').exists(): bad.append(f"{name}: no screenshot")
        has_tex = '$$' in p.read_text() or re.search(r'\$[^$\n]+\$', ''.join(src(c) for c in json.loads((PROC/name).read_text())['cells'] if c['cell_type'] == 'markdown'))
        if has_tex and MATHJAX.exists() and 'MJXc-' not in dom and 'mjx-chtml' not in dom:
            bad.append(f"{name}: the page has TeX but MathJax rendered none of it")
    shutil.rmtree(prof, ignore_errors=True)
    print(f"site: {len(htmls)} pages rendered to {out}/*.html, screenshots {out}/*.png")
    return bad

if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else ''
    if what == 'source': bad = check_source() + check_sidebar()
    elif what == 'pages': bad = check_pages(sys.argv[2] if len(sys.argv) > 2 else '_site')
    else: sys.exit(__doc__)
    for b in bad: print(b, file=sys.stderr)
    if bad: sys.exit(f"site check: {len(bad)} problem(s)")
    print(f"site check ({what}): ok")
