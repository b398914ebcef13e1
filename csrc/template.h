/*
 * Helpers for the templates, and the one way every template header
 * (csrc/<folder>/<name>_template.h) is used:
 *
 *   - Only .c files include a template, never another template (a template
 *     may include ordinary headers such as this one): templates are one
 *     level deep. What a template uses from another one of the same .c,
 *     that .c includes first.
 *   - The including .c file defines REAL (the element type), SUFFIX (pasted
 *     onto every name the template defines: _f32, _f64, or a SIMD level's
 *     _<level>_f32 and _<level>_f64) and any other macro the template's top
 *     comment lists, right before each #include.
 *   - The template stops with #error if one of them is missing, and
 *     #undef-s all of them at its end, so the next instantiation starts
 *     clean.
 *   - Every function a template defines is declared under its full name,
 *     since pasted names are otherwise invisible to grep and ctags: a
 *     public or folder-wide one in its header (ffnn.h, sparse/sparse.h,
 *     ...), a static one in the including .c file, before the #include (by
 *     its prototype, or, for the SIMD levels, by its kernel type from
 *     kernels/kernel_table.h). The compiler holds each declaration to its
 *     definition; tools/check_c_names.py and tools/check_layout.py check
 *     the rest.
 *
 * FN(name) pastes the suffix onto a name (ffnn_matvec -> ffnn_matvec_f32).
 */
#ifndef FFNN_TEMPLATE_H
#define FFNN_TEMPLATE_H
#define FFNN_PASTE_(a, b) a##b
#define FFNN_PASTE(a, b) FFNN_PASTE_(a, b)
#define FN(name) FFNN_PASTE(name, SUFFIX)
#endif
