// jpeg-js ships types for its index only; its decoder module exports the same `decode`.
declare module 'jpeg-js/lib/decoder.js' {
  import type { decode } from 'jpeg-js';
  export default decode;
}
