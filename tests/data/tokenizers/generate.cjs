// Generates the test tokenizers and their expected encodings.
//
// 1. Trains a small byte-level BPE (a few hundred to a couple of thousand merges) on varied text
//    and writes four tokenizer.json files in the Hugging Face format:
//    gpt2_style.json, llama3_style.json, llama3_nfc.json and qwen2_style.json.
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
// Qwen2 / Qwen2.5 / Qwen3: Llama 3's pattern with single digits (\p{N} instead of \p{N}{1,3});
// PRETOKENIZE_REGEX in transformers' models/qwen2/tokenization_qwen2.py, and the Split pattern
// of Qwen3's tokenizer.json.
const QWEN2_RE = /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;
const QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

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
// (ties broken by the pair's string so the output is deterministic). `extra` is appended to the
// shared corpus (the earlier tokenizers train on the corpus alone).
function trainBpe(regex, numMerges, extra = '') {
    const counts = new Map();
    const text = corpus + extra;
    for (const line of [text, text.toLowerCase(), text.toUpperCase()]) {
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

// Chat, code and multilingual text for the Qwen-style vocabulary (merges across CJK bytes, digits
// never merged: the Qwen pattern makes every digit its own pre-token).
const qwenCorpus = [
    "\n<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat's the capital of France?<|im_end|>",
    "<|im_start|>assistant\n<think>\nThe user asks about France. The capital is Paris.\n</think>\n\nThe capital of France is Paris.",
    '{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}',
    '你好，世界！我爱自然语言处理。今天天气很好，我们去公园散步吧。注意力头和稀疏字典。',
    'こんにちは、世界。カタカナとひらがなを混ぜた文章です。',
    'Qwen models tokenize numbers one digit at a time: 2025, 151643, 3.14159.',
    "    if (x > 0) {\r\n        return x;\r\n    }\r\n\r\n// comment!!!\n\n",
].join('\n');

// Deterministic pseudo-random long text mixing every kind of input.
function longText(n, extraPieces = [], seed = 12345) {
    const pieces = ['the ', 'attention ', 'Head', ' 12345', '  ', '\n', '\t', '東京', '😀', '👩‍💻', "'s ", "DON'T ",
                    'é', 'x', '.', ', ', '\r\n', '   ', '9', 'Lorsa', 'naïve ', '한국', ...extraPieces];
    let s = '', state = seed;
    while (s.length < n) {
        state = (state * 1103515245 + 12345) % 2147483648;
        s += pieces[state % pieces.length];
    }
    return s;
}

function qwen2Style() {
    const { vocab, merges, next } = trainBpe(QWEN2_RE, 1500, qwenCorpus);
    // Qwen3's added tokens in their order, with ids right after the BPE vocabulary (151643.. in
    // the real file) and their flags: special for the first 14, not special from <tool_call> on;
    // none normalized, none stripped.
    const specials = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|object_ref_start|>', '<|object_ref_end|>',
                      '<|box_start|>', '<|box_end|>', '<|quad_start|>', '<|quad_end|>', '<|vision_start|>', '<|vision_end|>',
                      '<|vision_pad|>', '<|image_pad|>', '<|video_pad|>'];
    const others = ['<tool_call>', '</tool_call>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>',
                    '<|repo_name|>', '<|file_sep|>', '<tool_response>', '</tool_response>', '<think>', '</think>'];
    const added = [...specials.map((s) => [s, true]), ...others.map((s) => [s, false])]
        .map(([s, special], i) => addedToken(next + i, s, special, { normalized: false }));
    const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
    return {
        version: '1.0', truncation: null, padding: null,
        added_tokens: added,
        normalizer: { type: 'NFC' },
        pre_tokenizer: { type: 'Sequence', pretokenizers: [
            { type: 'Split', pattern: { Regex: QWEN2_PATTERN }, behavior: 'Isolated', invert: false },
            byteLevel ] },
        post_processor: byteLevel,
        decoder: byteLevel,
        model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
                 fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: merges.map(([a, b]) => a + ' ' + b) },
    };
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

// The shared texts plus texts aimed at the Qwen pattern and Qwen's added tokens.
const qwenTexts = texts.concat([
    // digits: every \p{N} character is its own pre-token
    '2025-01-15 12:30:45', '151643 151669', 'abc123def x1y2 3rd 21st', '3.14159e-10 -42 +7 1,234,567.89',
    '½ ² ³ ¼ Ⅻ ١٢٣ ४५६ ๑๒๓ ①②③', '0000000000', 'v1.2.3-rc4',
    // contractions in every case; the (?i:...) group
    "I'M, YOU'LL, IT'S, WE'VE, THEY'RE, HE'D, DON'T", "'S 'Ll 'lL 'LL 'rE 'Re 'VE 'vE 'M 'D 'T", "x's y'S z'll",
    "''s ''' 's's", "rock'n'roll o'clock", "'sa 'Sam 'llama 'tea",
    // newlines, \r\n runs, spaces before words and newlines
    'a\r\n\r\nb', '\r\r\n\n\r', 'a \n b', 'a  \n  \n  b', 'end.\n\n\nnext', 'x!!!\n\n', '?!\r\n\r\nok', '...\r\n',
    '    four spaces', 'word    word', '  \t  tab mix', '\t\tindent\n\t\t\tdeeper', ' \n', '\n ', 'trailing\n   ',
    ' (x)', '  (x)', ' !!!abc', '"quoted"\n\n', 'a\u000Bb\u000Cc', 'line\u2028sep\u2029para\u0085nel',
    ' \n x', '\n\n  x', 'a \r\n b', 'x\r', '\r', '\tword', '\u00A0word', '\u3000中文', '(hello) "world" [x]',
    '$100 #tag @user __init__ C++ & C# e.g.\n', 'a.\r\n\r\n  b', '}\n\n\n\t', ' \t\n\r\n \t',
    // CJK, emoji, mixed scripts
    '你好，世界！我爱自然语言处理。', 'こんにちは、世界。カタカナ', '中文123数字abc', '今天天气很好，我们去公园散步吧。',
    '🤗🤗 hugging 🧠💡🚀', '👍🏽👍🏽👍🏽', 'Hello мир 世界 عالم 🌍 123 שלום', 'Δx=5μm; ∑ᵢ xᵢ² ≤ ∞',
    // combining marks (NFC) and Hangul jamo composition
    'cafe\u0301 nai\u0308ve', 'q\u0307\u0323 x\u0323\u0307', '\u1E9B\u0323', '\u1100\u1161\u11A8 \u1112\u1161\u11AB',
    'A\u030A\u0301', '\u0301 leading mark', 'e\u0301\u0301\u0301',
    // added tokens inside text
    '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello! What\'s 2+2?<|im_end|>\n<|im_start|>assistant\n',
    '<|im_start|>assistant\n<think>\nLet me think: 2+2=4.\n</think>\n\nIt is 4.<|im_end|>\n<|endoftext|>',
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    '<|im_start|>user\n<tool_response>\n{"temp": 21}\n</tool_response><|im_end|>',
    '<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y<|fim_middle|>', '<|fim_pad|><|fim_pad|>',
    '<|repo_name|>lorsa\n<|file_sep|>main.cpp\nint main() {}', '<|vision_start|><|image_pad|><|image_pad|><|vision_end|>Describe.',
    '<|object_ref_start|>the cat<|object_ref_end|><|box_start|>(10,20),(30,40)<|box_end|>',
    '<|quad_start|>q<|quad_end|><|vision_pad|><|video_pad|>', 'a <think> b </think> c', '<think></think>',
    '<think>cafe\u0301</think>', 'x<|im_end|>y<|im_start|>z',
    // near misses that must stay ordinary text
    '<|im_start|', '<think', '< think>', '<|IM_START|>', '<<think>>', '<|im_start|><|im_start|>', '<|endoftext|>x<|endoftext',
    '</think></think>>', '<tool_call >', '<|im_start|>\u0301',
    // unusual but valid UTF-8
    '\uFFFD replacement', '\uFEFFbom', 'a\u0000b', 'nonchar \uFFFF \uFFFE \u{10FFFF} \u{E0001}', '\uD7FF\uE000',
    'zero\u200Dwidth\u200Cjoiners', '\u1680ogham\u3000ideo\u00A0nbsp', 'RTL \u202Eevil\u202C text', 'tag\u{E0041}\u{E007F}',
    // "'ſ": Oniguruma's (?i:'s) folds case by Unicode and takes "'ſ" as a contraction (so does
    // PCRE2 in the C++); tokenizers.js folds ASCII only and takes it as a word. No merge here
    // crosses that boundary, so the ids agree; the case checks the bytes only (test_tokenizer's
    // caseInsensitiveContractionFoldsByUnicode adds such a merge).
    '\u{1D400}\u{1D401} math bold', '\u{20000}\u{2A6DF} ext B', '\u0130stanbul \u017Fhort', "'\u017F long s",
    longText(12000, ['<|im_start|>', '<|im_end|>', '<think>', '</think>', '你好', '2024', "'LL ", '\r\n\r\n', 'e\u0301',
                     '  !!!\n', '<tool_call>', '\u00A0', 'мир'], 777),
]);

function writeJson(file, value) { fs.writeFileSync(path.join(outDir, file), JSON.stringify(value, null, 1) + '\n'); }

// Offsets derived from the tokens as described at the top of this file.
function deriveOffsets(json, tokens, text, normalized) {
    if (normalized !== text) return null;
    const bytes = enc.encode(text);
    const charStart = (i) => { while (i > 0 && (bytes[i] & 0xC0) === 0x80) --i; return i; };
    const charEnd = (i) => { ++i; while (i < bytes.length && (bytes[i] & 0xC0) === 0x80) ++i; return i; };
    const added = new Map(json.added_tokens.map((t) => [t.content, t]));
    const bos = json.post_processor && json.post_processor.type === 'Sequence'
        ? json.post_processor.processors[1].single[0].SpecialToken.id : null;
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

for (const [name, json, textList] of [['gpt2_style', gpt2Style(), texts], ['llama3_style', llama3Style(false), texts],
                                      ['llama3_nfc', llama3Style(true), texts], ['qwen2_style', qwen2Style(), qwenTexts]]) {
    writeJson(name + '.json', json);
    const tok = new Tokenizer(json, {});
    const cases = textList.map((text) => {
        const ids = text.length ? tok.encode(text).ids : (json.post_processor ? tok.encode(text).ids : []);
        const tokens = ids.map((id) => tok.id_to_token(id));
        const normalized = json.normalizer ? text.normalize('NFC') : text;
        return { text, ids, offsets: deriveOffsets(json, tokens, text, normalized) };
    });
    // One case per line keeps the file diffable.
    fs.writeFileSync(path.join(outDir, name + '.expected.json'), '[\n' + cases.map((c) => JSON.stringify(c)).join(',\n') + '\n]\n');
    console.log(name, Object.keys(json.model.vocab).length, 'vocab', json.model.merges.length, 'merges', cases.length, 'cases');
}
