/*
 * The single kernels of ffnn.h, for float and double.
 *
 * kernels_template.h holds one generic definition of each kernel; it is
 * included once per precision with REAL, SUFFIX and the matching libm
 * functions defined.
 */
#include <math.h>

#include "ffnn.h"

#define REAL float
#define SUFFIX _f32
#define EXP expf
#define LOG logf
#include "kernels_template.h"

#define REAL double
#define SUFFIX _f64
#define EXP exp
#define LOG log
#include "kernels_template.h"
