//! The fold: one normalisation for aliases and for text.
//!
//! NFKC, Traditional→Simplified Chinese, Unicode case folding (unless case-sensitive), and a
//! hyphen between Latin words read as a space. The same function folds dictionary aliases and
//! article prose, and keeps a map from folded offsets back to the input, so what is matched and
//! what is reported never disagree.
