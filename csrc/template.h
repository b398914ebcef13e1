/*
 * Helpers for the per-precision templates: FN(name) pastes the precision
 * suffix onto a function name (ffnn_matvec -> ffnn_matvec_f32).
 */
#ifndef FFNN_TEMPLATE_H
#define FFNN_TEMPLATE_H
#define FFNN_PASTE_(a, b) a##b
#define FFNN_PASTE(a, b) FFNN_PASTE_(a, b)
#define FN(name) FFNN_PASTE(name, SUFFIX)
#endif
