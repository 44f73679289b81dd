"""The Lorsa forward as Language-Model-SAEs (llamascopium) runs it for inference, for comparing
ours with it on a CUDA machine where llamascopium itself cannot be installed (no network there).

A transcription of `LowRankSparseAttention` in src/llamascopium/models/lorsa.py at commit
95281ac7 (`_compute_qkv`, `RMSNormPerHead`, `_calculate_sin_cos_rotary`, `_apply_rotary`, the SDPA
branch of `encode`, the `topk` activation of sparse_dictionary.py / utils/math.py, and `decode`),
limited to what a Language-Model-SAEs-format folder written by `lorsa make-random` uses: no
dataset-wise norms, no NTK-by-parts rope, unsharded. Same operations in the same order and dtype.

Usage:
  lms_lorsa.py bench LORSA_DIR... --dtypes float32,bfloat16 --tokens 128,1024 [--repeat 20 --warmup 3]
      one JSON line per (Lorsa, dtype, T): median ms of encode + decode and the working memory
      (allocator peak above what was live before the call), on random input of unit variance.
  lms_lorsa.py check LORSA_DIR DUMP.safetensors [--dtype bfloat16]
      runs it in float32 (or bfloat16, for a bfloat16 dump) on the Lorsa input stored in our
      `lorsa analyze --dump` and prints the largest relative difference of our hidden_pre,
      feature_acts and reconstruction from it, and how many tokens' active heads differ.
"""
import argparse, json, math, statistics, sys, time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch.nn.attention import SDPBackend, sdpa_kernel


class LmsLorsa:
    def __init__(self, folder, dtype, device):
        cfg = json.load(open(f'{folder}/config.json'))
        assert cfg.get('norm_activation', 'inference') == 'inference' and not cfg.get('use_NTK_by_parts_rope')
        assert cfg['act_fn'] == 'topk'
        self.cfg, self.dtype = cfg, dtype
        w = {k: v.to(device=device, dtype=dtype) for k, v in load_file(f'{folder}/sae_weights.safetensors').items()}
        self.W_Q, self.W_K, self.b_Q, self.b_K = w['W_Q'], w['W_K'], w['b_Q'], w['b_K']
        self.W_V, self.b_V, self.W_O, self.b_D = w['W_V'], w['b_V'], w['W_O'], w['b_D']
        self.ln_q, self.ln_k = w.get('ln_q.w'), w.get('ln_k.w')
        self.attn_scale = cfg.get('attn_scale') or math.sqrt(cfg['d_qk_head'])
        self.rotary = cfg.get('positional_embedding_type') == 'rotary'
        if self.rotary:
            self.rotary_sin, self.rotary_cos = self._sin_cos(cfg['rotary_dim'], cfg['n_ctx'], cfg['rotary_base'], device)

    def _sin_cos(self, rotary_dim, n_ctx, base, device):
        wide = torch.float64 if self.dtype == torch.float64 else torch.float32
        pos = torch.arange(n_ctx, dtype=wide, device=device)
        dim = torch.arange(rotary_dim // 2, dtype=wide, device=device)
        freq = base ** (dim / (rotary_dim / 2))
        freq = freq.repeat_interleave(2) if self.cfg['rotary_adjacent_pairs'] else freq.repeat(2)
        angles = pos[:, None] / freq[None, :]
        return torch.sin(angles).to(self.dtype), torch.cos(angles).to(self.dtype)

    def _rms_per_head(self, x, w):
        if self.dtype not in (torch.float32, torch.float64):
            x = x.to(torch.float32)
        scale = (x.pow(2).mean(-1, keepdim=True) + self.cfg['eps']).sqrt()
        return (x / scale * w).to(self.dtype)

    def _rotate(self, x):
        x = x.repeat_interleave(self.cfg.get('rotary_scale', 1), dim=-1)
        rotary_dim, n = self.cfg['rotary_dim'], x.size(1)
        x_rot = x[..., :rotary_dim] if rotary_dim < x.size(-1) else x
        x_pass = x[..., rotary_dim:]
        flip = x_rot.clone()
        if self.cfg['rotary_adjacent_pairs']:
            flip[..., ::2], flip[..., 1::2] = -x_rot[..., 1::2], x_rot[..., ::2]
        else:
            h = x_rot.size(-1) // 2
            flip[..., :h], flip[..., h:] = -x_rot[..., h:], x_rot[..., :h]
        rotated = x_rot * self.rotary_cos[None, :n, None, :] + flip * self.rotary_sin[None, :n, None, :]
        return torch.cat([rotated, x_pass], dim=-1)

    def _qkv(self, x):
        x = x.to(self.W_Q.dtype)
        q = torch.einsum('bsd,Qdq->bsQq', x, self.W_Q) + self.b_Q
        k = torch.einsum('bsd,Kdk->bsKk', x, self.W_K) + self.b_K
        v = torch.einsum('bsd,Vd->bsV', x, self.W_V) + self.b_V
        if self.cfg.get('use_post_qk_ln'):
            q, k = self._rms_per_head(q, self.ln_q), self._rms_per_head(k, self.ln_k)
        if self.rotary:
            q, k = self._rotate(q), self._rotate(k)
        return q, k, v

    def encode(self, x):
        q, k, v = self._qkv(x)
        query, key = q.permute(0, 2, 1, 3), k.permute(0, 2, 1, 3)
        value = v.reshape(*k.shape[:3], -1).permute(0, 2, 1, 3)
        backends = [SDPBackend.FLASH_ATTENTION, SDPBackend.CUDNN_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]
        with sdpa_kernel(backends=backends):
            z = F.scaled_dot_product_attention(query, key, value, scale=1 / self.attn_scale, is_causal=True, enable_gqa=True)
        hidden_pre = z.permute(0, 2, 1, 3).reshape(*v.shape)
        if self.cfg.get('sparsity_include_decoder_norm', True):
            hidden_pre = hidden_pre * self.W_O.norm(p=2, dim=1)
        acts = hidden_pre * hidden_pre.gt(0).to(hidden_pre.dtype)
        _, top = torch.topk(acts, k=self.cfg['top_k'], dim=-1, sorted=False)
        mask = torch.zeros_like(acts, dtype=torch.bool).scatter_(-1, top, True)
        acts = acts * mask.to(acts.dtype)
        if self.cfg.get('sparsity_include_decoder_norm', True):
            acts = acts / self.W_O.norm(p=2, dim=1)
            hidden_pre = hidden_pre / self.W_O.norm(p=2, dim=1)
        return acts, hidden_pre

    def decode(self, acts):
        return torch.einsum('bps,sd->bpd', acts, self.W_O) + self.b_D


def bench(args):
    dtypes = {'float32': torch.float32, 'bfloat16': torch.bfloat16}
    for folder in args.lorsa:
        for name in args.dtypes.split(','):
            lorsa = LmsLorsa(folder, dtypes[name], args.device)
            for t in (int(v) for v in args.tokens.split(',')):
                x = torch.randn(1, t, lorsa.cfg['d_model'], device=args.device, dtype=dtypes[name])
                samples, working = [], 0.0
                gpu = args.device != 'cpu'
                with torch.no_grad():
                    for run in range(args.warmup + args.repeat):
                        if gpu:
                            torch.cuda.synchronize()
                            torch.cuda.reset_peak_memory_stats()
                        before = torch.cuda.memory_allocated() if gpu else 0
                        start = time.perf_counter()
                        lorsa.decode(lorsa.encode(x)[0])
                        if gpu:
                            torch.cuda.synchronize()
                        ms = (time.perf_counter() - start) * 1000
                        if gpu:
                            working = max(working, (torch.cuda.max_memory_allocated() - before) / 2**20)
                        if run >= args.warmup:
                            samples.append(ms)
                print(json.dumps({'lorsa': folder, 'dtype': name, 'tokens': t, 'lms_ms': statistics.median(samples),
                                  'lms_working_mb': working, 'torch': torch.__version__,
                                  'gpu': torch.cuda.get_device_name() if gpu else 'cpu'}), flush=True)
                del x
            del lorsa
            if args.device != 'cpu':
                torch.cuda.empty_cache()


def check(args):
    dump = load_file(args.dump)
    dtype = {'float32': torch.float32, 'bfloat16': torch.bfloat16}[args.dtype]
    lorsa = LmsLorsa(args.lorsa[0], dtype, args.device)
    hook = lorsa.cfg['hook_point_in']
    # The same input as ours: the dump's own hook_point_in (a bfloat16 run dumps its bfloat16 one).
    x = dump[hook].to(args.device, dtype).reshape(1, -1, lorsa.cfg['d_model'])
    with torch.no_grad():
        acts, hidden_pre = lorsa.encode(x)
        out = lorsa.decode(acts)
    worst = 0.0
    for name, ref in (('lorsa.hook_hidden_pre', hidden_pre), ('lorsa.hook_feature_acts', acts), ('lorsa.hook_reconstructed', out)):
        ours = dump[name].to(args.device, torch.float64).reshape(ref.shape)
        rel = ((ours - ref.double()).abs().max() / ref.double().abs().max().clamp_min(1e-30)).item()
        worst = max(worst, rel)
        print(f'{args.dtype} ours vs Language-Model-SAEs transcription {name} {tuple(ref.shape)} max rel err {rel:.2e}')
    ours_active = dump['lorsa.hook_feature_acts'].to(args.device).reshape(acts.shape) != 0
    theirs_active = acts != 0
    same = torch.equal(ours_active, theirs_active)
    # In bfloat16 a near-tie at the k-th head can round either way: count how many tokens differ.
    tokens_differing = (ours_active != theirs_active).any(-1).sum().item()
    print(f'WORST {args.dtype} ours vs Language-Model-SAEs rel err {worst:.2e}; same active heads everywhere: {same} '
          f'({tokens_differing} of {acts.shape[1]} tokens differ)')
    if dtype != torch.float32:
        # Which of the two half-precision forwards is closer to float32 on the same input?
        exact = LmsLorsa(args.lorsa[0], torch.float32, args.device)
        with torch.no_grad():
            acts32, hidden_pre32 = exact.encode(x.to(torch.float32))
            out32 = exact.decode(acts32)
        for name, theirs, ref in (('lorsa.hook_hidden_pre', hidden_pre, hidden_pre32), ('lorsa.hook_reconstructed', out, out32)):
            ref = ref.double()
            ours = dump[name].to(args.device, torch.float64).reshape(ref.shape)
            scale = ref.abs().max().clamp_min(1e-30)
            print(f'against float32 {name}: ours {args.dtype} max rel err {((ours - ref).abs().max() / scale).item():.2e}, '
                  f'Language-Model-SAEs {args.dtype} {((theirs.double() - ref).abs().max() / scale).item():.2e}; '
                  f'rms rel err ours {((ours - ref).pow(2).mean().sqrt() / ref.pow(2).mean().sqrt()).item():.2e}, '
                  f'Language-Model-SAEs {((theirs.double() - ref).pow(2).mean().sqrt() / ref.pow(2).mean().sqrt()).item():.2e}')


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['bench', 'check'])
    p.add_argument('lorsa', nargs='+')
    p.add_argument('--dtypes', default='float32,bfloat16')
    p.add_argument('--dtype', default='float32', help='check: the dtype of both forwards (the dump\'s own)')
    p.add_argument('--tokens', default='128,1024,2048')
    p.add_argument('--repeat', type=int, default=20)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--device', default='cuda')
    args = p.parse_args()
    if args.mode == 'check':
        args.dump = args.lorsa.pop()
        check(args)
    else:
        bench(args)


if __name__ == '__main__':
    sys.exit(main())
