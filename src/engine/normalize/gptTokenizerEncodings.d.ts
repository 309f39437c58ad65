// gpt-tokenizer publishes its encodings through package.json "exports", which this project's
// node10 module resolution does not read; esbuild and tsx do. The one function we use, typed.
declare module 'gpt-tokenizer/encoding/cl100k_base' {
  export function countTokens(text: string): number;
}
