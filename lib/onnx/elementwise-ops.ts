/**
 * ONNX ops that apply one function to every element on its own: the output has the input's shape, and output
 * channel c depends on input channel c only. Shape inference passes shapes through them (shape-inference.ts, with
 * more shape-preserving ops of its own), and channel pruning passes pruned channels through them (channel-prune.ts).
 */
export const ELEMENTWISE_UNARY_OPS: ReadonlySet<string> = new Set([
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'Tanh',
  'Clip',
  'HardSigmoid',
  'HardSwish',
  'Mish',
  'Softplus',
  'Softsign',
  'Elu',
  'Selu',
  'Celu',
  'Gelu',
  'ThresholdedRelu',
  'Exp',
  'Log',
  'Sqrt',
  'Abs',
  'Neg',
  'Erf',
  'Identity',
  'Dropout',
  'Floor',
  'Ceil',
  'Round',
  'Reciprocal',
  'Sign',
]);
