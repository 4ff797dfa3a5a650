#!/usr/bin/env python
"""Check tnt-nb's GPU path in a few minutes: `python scripts/gpu_check.py` on a machine with a GPU.

It runs, each in a fresh folder under a new temporary directory, on the embedded digits:
tnt-train in fp32, in bf16 and with --compile; a run interrupted (Ctrl-C) and resumed; the same under
`torchrun --nproc_per_node 1`; --pretrained from a checkpoint it writes; load_learner + predict of the result
on the CPU; tnt-bench in bf16. It prints what it saw and stops at the first failure with exit status 1.
`--device cpu` runs the parts a CPU can (bf16, --compile and the bf16 benchmark are GPU checks, skipped there).
"""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, time
from pathlib import Path

MIN_ACC = 0.15   # after 2 epochs: above 53/359 = 0.148, what a run that learns nothing scores by predicting the commonest digit
RESUME_ACC = 0.8   # after the 20-epoch run cut and resumed on a GPU (it reached 0.95 on an H200): a lost state would show

def fail(name, why, out=''):
    print(f"FAILED: {name}: {why}", flush=True)
    if out: print('----- last output -----\n' + out[-3000:], flush=True)
    raise SystemExit(1)

def run(name, cmd, timeout=300, env=None):
    "Run `cmd`; fail loudly unless it exits 0 within `timeout` s. Returns stdout+stderr."
    print(f"\n== {name}: {' '.join(map(str, cmd))}", flush=True)
    t0 = time.time()
    try: p = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e: fail(name, f"no result after {timeout}s", (e.stdout or b'').decode(errors='replace') if isinstance(e.stdout, bytes) else (e.stdout or ''))
    out = p.stdout + p.stderr
    if p.returncode != 0: fail(name, f"exit status {p.returncode}", out)
    print(f"   ok in {time.time()-t0:.0f}s", flush=True)
    return out

def metrics(name, folder, epochs, min_acc):
    "The run's metrics.json, checked: `epochs` epochs, final accuracy above `min_acc`."
    f = Path(folder)/'metrics.json'
    if not f.is_file(): fail(name, f"no {f}")
    m = json.loads(f.read_text())
    accs = [round(h['accuracy'], 4) for h in m['history']]
    print(f"   {m['epochs']} epochs, valid accuracy by epoch {accs}, device {m['args'].get('device')}, "
          f"precision {m['args'].get('precision')}, {m['args'].get('world_size')} process(es)", flush=True)
    if m['epochs'] != epochs: fail(name, f"{m['epochs']} epochs recorded, {epochs} expected")
    if not m['final_accuracy'] > min_acc: fail(name, f"final accuracy {m['final_accuracy']:.4f} is not above {min_acc} (the commonest digit's share: 0.148)")
    losses = [h['valid_loss'] for h in m['history']]
    if not losses[-1] < losses[0]: fail(name, f"the validation loss did not fall: {losses}")
    return m

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda', help="cuda (default), cuda:N, or cpu for the parts a CPU can run")
    ap.add_argument('--keep', action='store_true', help="keep the temporary folder with the runs")
    a = ap.parse_args()
    gpu = a.device.startswith('cuda')
    exe = shutil.which('tnt-train')
    if exe is None: fail('set-up', "tnt-train is not on PATH: pip install -e . (or pip install tnt-nb) first")
    import torch
    print(f"torch {torch.__version__}, CUDA available: {torch.cuda.is_available()}"
          + (f", {torch.cuda.device_count()} GPU(s): {torch.cuda.get_device_name(0)}, bf16: {torch.cuda.is_bf16_supported(including_emulation=False)}" if torch.cuda.is_available() else ''), flush=True)
    if gpu and not torch.cuda.is_available(): fail('set-up', f"--device {a.device}, but PyTorch sees no GPU (use --device cpu for the CPU parts)")
    tmp = Path(tempfile.mkdtemp(prefix='tnt-gpu-check-'))   # fresh folders: tnt-train may refuse an --out that holds a run
    dev, skipped, t_start = ['--device', a.device], [], time.time()
    try:
        run('fp32', [exe, '--epochs', '2', *dev, '--precision', 'fp32', '--out', tmp/'fp32'])
        metrics('fp32', tmp/'fp32', 2, MIN_ACC)
        if gpu:
            out = run('bf16', [exe, '--epochs', '2', *dev, '--precision', 'bf16', '--out', tmp/'bf16'])
            if 'bf16' not in out: fail('bf16', "the start line does not say bf16", out)
            metrics('bf16', tmp/'bf16', 2, MIN_ACC)
            out = run('compile', [exe, '--epochs', '2', *dev, '--precision', 'bf16', '--compile', '--out', tmp/'compiled'], timeout=600)
            if 'compiled' not in out: fail('compile', "the start line does not say compiled", out)
            metrics('compile', tmp/'compiled', 2, MIN_ACC)
        else: skipped += ['bf16', 'compile']

        name, n = 'interrupt', 20 if gpu else 3   # long enough on a GPU that the interrupt lands inside the run
        print(f"\n== {name}: {exe} --epochs {n} ... then Ctrl-C (SIGINT) after its first checkpoint", flush=True)
        p = subprocess.Popen([exe, '--epochs', str(n), *dev, '--out', str(tmp/'int')], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ck, t0 = tmp/'int'/'checkpoint.pth', time.time()
        while not ck.exists() and p.poll() is None and time.time() - t0 < 300: time.sleep(0.2)
        p.send_signal(signal.SIGINT)
        so, se = p.communicate(timeout=120)
        if p.returncode != 130: fail(name, f"exit status {p.returncode}, 130 expected after Ctrl-C", so + se)
        if 'continue with: tnt-train' not in se: fail(name, "no line on stderr with the command that continues", so + se)
        print(f"   interrupted: {se.strip().splitlines()[-1].split('; continue with')[0]}", flush=True)
        out = run('resume', [exe, '--epochs', str(n), *dev, '--out', tmp/'int'])   # the same command line continues the run
        if 'continuing the run in' not in out: fail('resume', "no 'continuing the run in' line", out)
        metrics('resume', tmp/'int', n, RESUME_ACC if gpu else MIN_ACC)

        run('torchrun', [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '1', '--no-python',
                         exe, '--epochs', '2', *dev, '--out', tmp/'torchrun'])
        metrics('torchrun', tmp/'torchrun', 2, MIN_ACC)

        pre = tmp/'pretrained.pth'   # the fp32 run's weights, as a timm checkpoint
        code = ("import sys, torch; from tnt_nb.model import tnt_digits_fast; from tnt_nb.hub import to_timm_state_dict\n"
                "ck = torch.load(sys.argv[1], map_location='cpu', weights_only=True); m = tnt_digits_fast(num_classes=10, global_pool='avg')\n"
                "m.load_state_dict(ck['model']); torch.save(to_timm_state_dict(m), sys.argv[2])")
        run('write a pretrained checkpoint', [sys.executable, '-c', code, tmp/'fp32'/'checkpoint.pth', pre])
        out = run('pretrained', [exe, '--epochs', '2', *dev, '--pretrained', pre, '--out', tmp/'ft'])
        if 'from pretrained weights' not in out: fail('pretrained', "the start line does not say 'from pretrained weights'", out)
        metrics('pretrained', tmp/'ft', 2, MIN_ACC)

        code = ("import sys, torch, numpy as np, PIL.Image; from fastai.learner import load_learner; from sklearn.datasets import load_digits\n"
                "learn = load_learner(sys.argv[1], cpu=True); d = load_digits(); ok = 0\n"
                "assert next(learn.model.parameters()).device.type == 'cpu'\n"
                "for i in range(0, 1797, 90):\n"
                "    img = PIL.Image.fromarray((d.images[i]*255/16).round().astype(np.uint8)).convert('RGB')\n"
                "    cls, idx, probs = learn.predict(img); ok += int(str(cls)) == d.target[i]\n"
                "    assert abs(float(probs.sum()) - 1) < 1e-4 and int(idx) == int(probs.argmax()) and str(cls) == str(learn.dls.vocab[idx]), (cls, idx, probs)\n"
                "print(f'predict on the CPU: {ok} of 20 digits right (a 4-epoch model; chance is 2)')")
        out = run('load_learner + predict (CPU)', [sys.executable, '-c', code, tmp/'ft'/'learner.pkl'], env=dict(os.environ, CUDA_VISIBLE_DEVICES=''))
        print('   ' + next(l for l in out.splitlines() if l.startswith('predict on')), flush=True)

        if gpu:
            out = run('tnt-bench', ['tnt-bench', '--device', a.device, '--precision', 'bf16', '--rounds', '2', '--iters', '10'])
            print('\n'.join('   ' + l for l in out.strip().splitlines()[-6:]), flush=True)
        else: skipped += ['tnt-bench']
    finally:
        if not a.keep: shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nALL CHECKS PASSED on {a.device} in {time.time()-t_start:.0f}s" + (f" (skipped on the CPU: {', '.join(skipped)})" if skipped else ''), flush=True)

if __name__ == '__main__': main()
