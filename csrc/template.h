/*
 * Helpers for the templates, and the one way every template header
 * (csrc/<name>_template.h) is used:
 *
 *   - The including .c file defines REAL (the element type), SUFFIX (pasted
 *     onto every name the template defines: _f32, _f64, or a SIMD level's
 *     _<level>_f32 and _<level>_f64) and any other macro the template's top
 *     comment lists, right before each #include.
 *   - The template stops with #error if one of them is missing, and
 *     #undef-s all of them at its end, so the next instantiation starts
 *     clean.
 *   - A comment beside each #include lists the full names of the public
 *     functions it defines, since pasted names are otherwise invisible to
 *     grep (tools/check_c_names.py checks that every function of ffnn.h is
 *     named somewhere besides ffnn.h).
 *
 * FN(name) pastes the suffix onto a name (ffnn_matvec -> ffnn_matvec_f32).
 */
#ifndef FFNN_TEMPLATE_H
#define FFNN_TEMPLATE_H
#define FFNN_PASTE_(a, b) a##b
#define FFNN_PASTE(a, b) FFNN_PASTE_(a, b)
#define FN(name) FFNN_PASTE(name, SUFFIX)
#endif
