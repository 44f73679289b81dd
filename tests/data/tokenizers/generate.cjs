// Generates the test tokenizers and their expected encodings.
//
// 1. Trains a small byte-level BPE (a few hundred to a couple of thousand merges) on varied text
//    and writes three tokenizer.json files in the Hugging Face format:
//    gpt2_style.json, llama3_style.json and llama3_nfc.json.
// 2. Encodes many test texts with the npm package @huggingface/tokenizers (a faithful JavaScript
//    implementation of the format) and writes <name>.expected.json: [{text, ids, offsets}, ...].
//
// `ids` are exactly what @huggingface/tokenizers returns with add_special_tokens=true.
// `offsets` are [begin, end) UTF-8 BYTE offsets into the original text, as the Rust library
// reports them (tokenizers.js reports no offsets, so they are derived here): each token covers
// the bytes it consumes, widened to whole characters (a token holding part of a multi-byte
// character covers the entire character, as Rust's alignments do); special tokens added by the
// post-processor get [0, 0]. Where the normalizer changes the text the alignment is not derived
// and `offsets` is null (the C++ test checks those spans by properties instead).
//
// Run: npm install --prefix /tmp/tokjs @huggingface/tokenizers
//      TOKENIZERS_JS=/tmp/tokjs/node_modules/@huggingface/tokenizers node generate.cjs
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require(process.env.TOKENIZERS_JS || '@huggingface/tokenizers');

const outDir = __dirname;

// GPT-2's reversible byte <-> printable character table.
function bytesToUnicode() {
    const bs = [];
    for (let b = 33; b <= 126; ++b) bs.push(b);
    for (let b = 161; b <= 172; ++b) bs.push(b);
    for (let b = 174; b <= 255; ++b) bs.push(b);
    const cs = bs.slice();
    let n = 0;
    for (let b = 0; b < 256; ++b) {
        if (!bs.includes(b)) { bs.push(b); cs.push(256 + n); ++n; }
    }
    const map = {};
    bs.forEach((b, i) => { map[b] = String.fromCodePoint(cs[i]); });
    return { order: bs, map };
}
const B2U = bytesToUnicode();
const U2B = Object.fromEntries(Object.entries(B2U.map).map(([b, c]) => [c, Number(b)]));
const enc = new TextEncoder();
const toByteLevel = (s) => Array.from(enc.encode(s), (b) => B2U.map[b]).join('');

const GPT2_RE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const LLAMA3_RE = /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;
const LLAMA3_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const corpus = [
    "The quick brown fox jumps over the lazy dog. It's a sunny day, isn't it? We'll see; they'd said they're ready.",
    "In 2024 the model reached 87.5% accuracy on 10,000 examples; the previous record was 3.14159 in 1999.",
    "Interpretability researchers study attention heads, residual streams and sparse dictionaries of features.",
    "Low-Rank Sparse Attention decomposes attention layers into many single-dimensional units that fire rarely.",
    "def tokenize(text):\n    return [token for token in text.split() if token]\n\nfor i in range(100):\n    print(i * i)\n",
    "int main(int argc, char** argv) {\n\tstd::vector<int> values{1, 2, 3};\n\treturn values.size() > 2 ? 0 : 1;\n}\n",
    "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name ORDER BY 2 DESC;",
    "東京は日本の首都です。北京是中国的首都。서울은 한국의 수도입니다。",
    "我们研究语言模型的注意力机制，并且训练稀疏的低秩注意力单元。",
    "Emoji: 😀 😃 😄 👍🏽 👩‍💻 🇫🇷 ❤️ 🎉🎉🎉 and café, naïve, résumé, Zürich, São Paulo, Ångström.",
    "Numbers: 0 1 2 3 4 5 6 7 8 9 10 100 1000 12345 678910 2048 4096 65536 3.5e-10 0xFF",
    "She said, \"Don't do that!\" He replied: 'I won't.' THEY'LL COME, WE'VE SEEN, I'M HERE, HE'D GO.",
    "Привет, мир! Γειά σου κόσμε! مرحبا بالعالم! שלום עולם! नमस्ते दुनिया!",
    "The the the of of and and to to in in is is that that for for with with as as on on at at by by",
    "attention attention heads heads tokens tokens model model layer layer sparse sparse units units",
    "    indented line\n\n\n  another\r\nwindows line\r\n\ttabbed\t\tcolumns  trailing   \n",
].join('\n');

// Minimal BPE trainer: counts pre-token words, repeatedly merges the most frequent pair
// (ties broken by the pair's string so the output is deterministic).
function trainBpe(regex, numMerges) {
    const counts = new Map();
    for (const line of [corpus, corpus.toLowerCase(), corpus.toUpperCase()]) {
        for (const m of line.match(regex) || []) {
            const w = toByteLevel(m);
            counts.set(w, (counts.get(w) || 0) + 1);
        }
    }
    let words = [...counts.entries()].map(([w, c]) => ({ syms: Array.from(w), c }));
    const merges = [];
    for (let k = 0; k < numMerges; ++k) {
        const pairs = new Map();
        for (const { syms, c } of words) {
            for (let i = 0; i + 1 < syms.length; ++i) {
                const key = syms[i] + '\u0000' + syms[i + 1];
                pairs.set(key, (pairs.get(key) || 0) + c);
            }
        }
        let best = null, bestCount = 1;
        for (const [key, c] of pairs) {
            if (c > bestCount || (c === bestCount && best !== null && key < best)) { best = key; bestCount = c; }
        }
        if (best === null) break;
        const [a, b] = best.split('\u0000');
        merges.push([a, b]);
        for (const w of words) {
            const out = [];
            for (let i = 0; i < w.syms.length; ++i) {
                if (i + 1 < w.syms.length && w.syms[i] === a && w.syms[i + 1] === b) { out.push(a + b); ++i; }
                else out.push(w.syms[i]);
            }
            w.syms = out;
        }
    }
    const vocab = {};
    B2U.order.forEach((b, i) => { vocab[B2U.map[b]] = i; });
    let next = 256;
    for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = next++;
    return { vocab, merges, next };
}

function addedToken(id, content, special, extra = {}) {
    return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: !special, special, ...extra };
}

function gpt2Style() {
    const { vocab, merges, next } = trainBpe(GPT2_RE, 800);
    vocab['<|endoftext|>'] = next;
    return {
        version: '1.0', truncation: null, padding: null,
        added_tokens: [addedToken(next, '<|endoftext|>', true)],
        normalizer: null,
        pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
        post_processor: null,
        decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
        model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
                 fuse_unk: false, byte_fallback: false, vocab, merges: merges.map(([a, b]) => a + ' ' + b) },
    };
}

function llama3Style(nfc) {
    const { vocab, merges, next } = trainBpe(LLAMA3_RE, 1200);
    // Whole words in the vocabulary that the merges cannot build: ignore_merges emits them directly.
    let id = next;
    for (const w of [' supercalifragilistic', ' Lorsa', 'ZWJ']) vocab[toByteLevel(w)] = id++;
    const specials = ['<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>',
                      '<|reserved_special_token_0|>'];
    const added = specials.map((s, i) => addedToken(id + i, s, true));
    id += specials.length;
    // A non-special added token matched after normalisation.
    added.push(addedToken(id, '[TOOL]', false));
    return {
        version: '1.0', truncation: null, padding: null,
        added_tokens: added,
        normalizer: nfc ? { type: 'NFC' } : null,
        pre_tokenizer: { type: 'Sequence', pretokenizers: [
            { type: 'Split', pattern: { Regex: LLAMA3_PATTERN }, behavior: 'Isolated', invert: false },
            { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false } ] },
        post_processor: { type: 'Sequence', processors: [
            { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
            { type: 'TemplateProcessing',
              single: [ { SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } } ],
              pair: [ { SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
                      { SpecialToken: { id: '<|begin_of_text|>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } } ],
              special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [added[0].id], tokens: ['<|begin_of_text|>'] } } } ] },
        decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
        model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
                 fuse_unk: false, byte_fallback: false, ignore_merges: true, vocab, merges },
    };
}

// Deterministic pseudo-random long text mixing every kind of input.
function longText(n) {
    const pieces = ['the ', 'attention ', 'Head', ' 12345', '  ', '\n', '\t', '東京', '😀', '👩‍💻', "'s ", "DON'T ",
                    'é', 'x', '.', ', ', '\r\n', '   ', '9', 'Lorsa', 'naïve ', '한국'];
    let s = '', state = 12345;
    while (s.length < n) {
        state = (state * 1103515245 + 12345) % 2147483648;
        s += pieces[state % pieces.length];
    }
    return s;
}

const texts = [
    '', ' ', '  ', 'a', 'Hello world', 'Hello, world!', ' leading space', 'trailing spaces   ', '\n', '\n\n\n',
    'line one\nline two\n\nline four', 'tabs\tand\t\ttabs', 'windows\r\nline\r\n\r\nends', 'mixed \t \n \r\n whitespace',
    "It's, I'm, you're, we've, they'll, he'd, she's", "DON'T SHOUT, IT'S LOUD, WE'LL SEE, I'D GO, YOU'RE 'S",
    "'S 'T 'RE 'VE 'M 'LL 'D 's 't", 'Numbers 1 12 123 1234 12345 1234567890123456789 3.14159 1,000,000',
    '00000000000000000000000000000000', 'x=1+2*3-4/5; y = f(x) ** 2',
    'def f(x):\n    return x * 2\n', 'int main() {\n\treturn 0;\n}\n', '東京は日本の首都です。', '北京是中国的首都',
    '서울은 한국의 수도입니다', 'Hangul jamo: \u1112\u1161\u11AB\u1100\u1173\u11AF', 'Emoji 😀😃😄 and 👍 👍🏽 👍🏿',
    'ZWJ family 👨‍👩‍👧‍👦 and coder 👩‍💻 and flag 🇫🇷🇩🇪', 'heart ❤️ keycap 1️⃣ ',
    'café naïve résumé Zürich São Paulo Ångström', 'Привет, мир! Γειά σου κόσμε!', 'مرحبا بالعالم', 'नमस्ते दुनिया',
    'e\u0301 combining accent', 'a\u0300\u0301\u0302 stacked marks', '\u00e9 precomposed',
    'Hello<|endoftext|>world', '<|endoftext|>', 'a <|endoftext|> b', 'x<|endoftext|><|endoftext|>y',
    '<|begin_of_text|>Hi<|eot_id|>', 'glued<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>',
    'use [TOOL] now', 'call[TOOL]x', ' supercalifragilistic and Lorsa and ZWJ', 'supercalifragilistic',
    'The quick brown fox jumps over the lazy dog.', 'Low-Rank Sparse Attention decomposes attention layers',
    '\u00a0non-breaking\u00a0space', 'zero\u200bwidth', '\u3000ideographic space', 'a  b   c    d',
    '!!!???...,,,;;;', '((()))[[[]]]{{{}}}', 'ÀÉÎÕÜ àéîõü', '\u212B angstrom sign and \uFB01 ligature',
    'mañana', 'ﬁ', '\u0041\u030A', 'Ω\u2126', longText(10000),
];

function writeJson(file, value) { fs.writeFileSync(path.join(outDir, file), JSON.stringify(value, null, 1) + '\n'); }

// Offsets derived from the tokens as described at the top of this file.
function deriveOffsets(json, tokens, text, normalized) {
    if (normalized !== text) return null;
    const bytes = enc.encode(text);
    const charStart = (i) => { while (i > 0 && (bytes[i] & 0xC0) === 0x80) --i; return i; };
    const charEnd = (i) => { ++i; while (i < bytes.length && (bytes[i] & 0xC0) === 0x80) ++i; return i; };
    const added = new Map(json.added_tokens.map((t) => [t.content, t]));
    const bos = json.post_processor ? json.post_processor.processors[1].single[0].SpecialToken.id : null;
    const out = [];
    let cursor = 0;
    tokens.forEach((tok, i) => {
        if (i === 0 && tok === bos) { out.push([0, 0]); return; }
        if (added.has(tok)) {
            const b = enc.encode(tok);
            for (let k = 0; k < b.length; ++k) if (bytes[cursor + k] !== b[k]) throw new Error('added token misplaced in ' + JSON.stringify(text));
            out.push([cursor, cursor + b.length]);
            cursor += b.length;
            return;
        }
        const n = Array.from(tok).length; // one byte per byte-level character
        out.push([charStart(cursor), charEnd(cursor + n - 1)]);
        cursor += n;
    });
    if (cursor !== bytes.length) throw new Error('tokens do not cover ' + JSON.stringify(text));
    return out;
}

for (const [name, json] of [['gpt2_style', gpt2Style()], ['llama3_style', llama3Style(false)], ['llama3_nfc', llama3Style(true)]]) {
    writeJson(name + '.json', json);
    const tok = new Tokenizer(json, {});
    const cases = texts.map((text) => {
        const ids = text.length ? tok.encode(text).ids : (json.post_processor ? tok.encode(text).ids : []);
        const tokens = ids.map((id) => tok.id_to_token(id));
        const normalized = json.normalizer ? text.normalize('NFC') : text;
        return { text, ids, offsets: deriveOffsets(json, tokens, text, normalized) };
    });
    // One case per line keeps the file diffable.
    fs.writeFileSync(path.join(outDir, name + '.expected.json'), '[\n' + cases.map((c) => JSON.stringify(c)).join(',\n') + '\n]\n');
    console.log(name, Object.keys(json.model.vocab).length, 'vocab', json.model.merges.length, 'merges', cases.length, 'cases');
}
