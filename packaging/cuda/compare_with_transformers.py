"""Cross-checks `lorsa analyze --dump` on a CUDA machine: our CPU dump against our CUDA dump
(every tensor), and our logits and residual stream against Hugging Face transformers on the same
token ids. Needs torch, safetensors and transformers (a CUDA machine's Python has them).

Usage: compare_with_transformers.py CPU.safetensors CUDA.safetensors MODEL_DIR
"""
import sys, torch
from safetensors.torch import load_file
cpu, cuda, model_dir = load_file(sys.argv[1]), load_file(sys.argv[2]), sys.argv[3]
def rel(a, b):
    a, b = a.double(), b.double()
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()
worst = 0
for name, t in cpu.items():
    if name not in cuda: print('missing on cuda', name); continue
    if t.dtype in (torch.int64, torch.int32):
        print(f'{name}: equal={torch.equal(t, cuda[name])}'); continue
    r = rel(cuda[name], t); worst = max(worst, r)
    print(f'cpu vs cuda {name} {tuple(t.shape)} max rel err {r:.2e}')
print(f'WORST cpu vs cuda rel err {worst:.2e}')
from transformers import AutoModelForCausalLM
m = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
tokens = cpu['tokens'].long().view(1, -1)
with torch.no_grad():
    out = m(tokens, output_hidden_states=True, output_attentions=False)
lg = out.logits[0]
print(f'HF vs ours logits {tuple(lg.shape)} max rel err {rel(cpu["logits"].view_as(lg), lg):.2e}  argmax equal {torch.equal(cpu["logits"].view_as(lg).argmax(-1), lg.argmax(-1))}')
hs = out.hidden_states
for L in range(len(hs) - 2):
    k = f'blocks.{L}.hook_resid_post'
    if k in cpu: print(f'HF vs ours {k} max rel err {rel(cpu[k].view_as(hs[L+1][0]), hs[L+1][0]):.2e}')
