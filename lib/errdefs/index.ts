export { MobyError, errorOf, errorKinds, isKind, kindOf, wrap, type ErrorKind } from './errdefs.js';
