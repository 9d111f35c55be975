import { setAttentionTraining } from '@trainyard/predict';
import { dropoutTraining } from './dropout';
import { callArgsFor } from './frozen';

// The attention layers live in `@trainyard/predict` (models load there without the trainer); in
// training they drop out with the wasm kernel and follow the frozen-layer rule, as other layers.
setAttentionTraining({ dropout: dropoutTraining, callArgs: callArgsFor });

export { TokenAndPositionEmbedding, TransformerEncoderBlock } from '@trainyard/predict';
