{# Brian2's cpp_standalone state-update template, with a loop the compiler vectorises.

   The loop writes only element _idx of each array, so its iterations are independent;
   compilers cannot prove it (hundreds of arrays) and do not vectorise it. The pragmas
   assert it. Loops that draw random numbers keep Brian2's plain loop (the generator's
   state is shared between iterations).

   With OpenMP every thread gets one block of whole SIMD_BLOCKs, so each element is
   computed by the same instructions (vector body or remainder) whatever the thread
   count: results do not depend on it.

   Without -ffinite-math-only (Brian2 compiles with -fno-finite-math-only, which NaN
   checks need), glibc does not declare its vector maths (libmvec), and a loop calling
   exp() cannot be vectorised: the declarations are added here. #}
{# USES_VARIABLES { N } #}
{# ALLOWS_SCALAR_WRITE #}
{% extends 'common_group.cpp' %}
{% set _random = '_rand(' in vector_code or '_randn(' in vector_code or '_poisson(' in vector_code or 'binomial(' in vector_code %}

{% block extra_headers %}
{% if not _random %}
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__) && !defined(__FAST_MATH__)
extern "C" {
__attribute__((__simd__("notinbranch"))) double exp(double) noexcept;
__attribute__((__simd__("notinbranch"))) double log(double) noexcept;
__attribute__((__simd__("notinbranch"))) double pow(double, double) noexcept;
__attribute__((__simd__("notinbranch"))) double sin(double) noexcept;
__attribute__((__simd__("notinbranch"))) double cos(double) noexcept;
#if __GLIBC_PREREQ(2, 35)
__attribute__((__simd__("notinbranch"))) double expm1(double) noexcept;
__attribute__((__simd__("notinbranch"))) double log1p(double) noexcept;
__attribute__((__simd__("notinbranch"))) double tanh(double) noexcept;
#endif
}
#endif
{% endif %}
{% endblock %}

{% block maincode %}
    //// MAIN CODE ////////////
    // scalar code
    const size_t _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    const int _N = {{constant_or_scalar('N', variables['N'])}};
    {% if _random %}
    {{openmp_pragma('parallel-static')}}
    {% elif openmp_pragma('with_openmp') %}
    const int _SIMD_BLOCK = 64;
    const int _threads = {{openmp_pragma('get_num_threads')}};
    const int _chunk = ((_N + _threads - 1) / _threads + _SIMD_BLOCK - 1) / _SIMD_BLOCK * _SIMD_BLOCK;
    #pragma omp parallel for simd schedule(static, _chunk)
    {% else %}
    #if defined(__clang__)
    #pragma clang loop vectorize(assume_safety)
    #elif defined(__GNUC__)
    #pragma GCC ivdep
    #endif
    {% endif %}
    for(int _idx=0; _idx<_N; _idx++)
    {
        // vector code
        const size_t _vectorisation_idx = _idx;
        {{vector_code|autoindent}}
    }
{% endblock %}
