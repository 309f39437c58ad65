// Counts the tokens of prompt text for the context-window X-ray. OpenAI models get their real
// tokenizer (gpt-tokenizer, bundled: nothing is downloaded); other families have no tokenizer
// we can bundle, so they get an estimate of four characters a token, and say so.

export interface TokenCounter {
  count(text: string): number;
  /** Which tokenizer, or how the estimate is made: shown beside the counts. */
  readonly name: string;
  readonly exact: boolean;
}

/** Tokenizing is linear but not cheap: past this many characters a text is counted on its start and scaled. */
const MAX_TOKENIZED_CHARS = 200_000;
const CHARS_PER_TOKEN_ESTIMATE = 4;

const O200K_MODELS = /^(?:[\w-]+\/)?(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o|gpt-oss|codex)/i;
const CL100K_MODELS = /^(?:[\w-]+\/)?(?:gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada)/i;

function tokenizer(encode: (text: string) => number, name: string): TokenCounter {
  return {
    name,
    exact: true,
    count(text) {
      if (text.length <= MAX_TOKENIZED_CHARS) return encode(text);
      return Math.round((encode(text.slice(0, MAX_TOKENIZED_CHARS)) * text.length) / MAX_TOKENIZED_CHARS);
    },
  };
}

type Encoding = { countTokens(text: string): number };
// Each encoding is loaded when first used: its tables take about 10 MB of the engine's heap and
// a tenth of a second, and most sessions never count a prompt's tokens.
const O200K = tokenizer((text) => (require('gpt-tokenizer') as Encoding).countTokens(text), 'o200k_base (gpt-tokenizer)');
const CL100K = tokenizer((text) => (require('gpt-tokenizer/encoding/cl100k_base') as Encoding).countTokens(text), 'cl100k_base (gpt-tokenizer)');
const ESTIMATE: TokenCounter = {
  name: `estimate: ${CHARS_PER_TOKEN_ESTIMATE} characters a token`,
  exact: false,
  count: (text) => Math.ceil(text.length / CHARS_PER_TOKEN_ESTIMATE),
};

/** The tokenizer of a model's family, or the documented estimate. */
export function tokenCounterFor(model: string | undefined): TokenCounter {
  if (model && O200K_MODELS.test(model)) return O200K;
  if (model && CL100K_MODELS.test(model)) return CL100K;
  return ESTIMATE;
}
