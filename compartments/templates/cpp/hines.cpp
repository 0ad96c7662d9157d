{# USES_VARIABLES { N, v, C, gax_parent, hines_parent, hines_rhs, hines_diag, dt } #}
{% extends 'common_group.cpp' %}
{# The tree solve of compartments.tree (Hines 1984): rows are ordered parents first,
   hines_parent[row] is the parent's row (-1 at a root). #}
{% block maincode %}
    // scalar code
    const size_t _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    const int _N = {{constant_or_scalar('N', variables['N'])}};
    // vector code: membrane current (hines_rhs) and conductance + capacitance/dt (hines_diag)
    {{openmp_pragma('parallel-static')}}
    for(int _idx=0; _idx<_N; _idx++)
    {
        const size_t _vectorisation_idx = _idx;
        {{vector_code|autoindent}}
    }
    // axial conductances into the diagonal and the right-hand side
    for(int _r=0; _r<_N; _r++)
    {
        const int _p = {{hines_parent}}[_r];
        if (_p >= 0)
        {
            const double _g = {{gax_parent}}[_r];
            const double _f = _g*({{v}}[_p] - {{v}}[_r]);
            {{hines_diag}}[_r] += _g;
            {{hines_diag}}[_p] += _g;
            {{hines_rhs}}[_r] += _f;
            {{hines_rhs}}[_p] -= _f;
        }
    }
    // elimination, leaves first
    for(int _r=_N-1; _r>=0; _r--)
    {
        const int _p = {{hines_parent}}[_r];
        if (_p >= 0)
        {
            const double _f = {{gax_parent}}[_r]/{{hines_diag}}[_r];
            {{hines_diag}}[_p] -= _f*{{gax_parent}}[_r];
            {{hines_rhs}}[_p] += _f*{{hines_rhs}}[_r];
        }
    }
    // back substitution, roots first; hines_rhs holds the voltage change
    for(int _r=0; _r<_N; _r++)
    {
        const int _p = {{hines_parent}}[_r];
        if (_p >= 0)
            {{hines_rhs}}[_r] = ({{hines_rhs}}[_r] + {{gax_parent}}[_r]*{{hines_rhs}}[_p])/{{hines_diag}}[_r];
        else
            {{hines_rhs}}[_r] = {{hines_rhs}}[_r]/{{hines_diag}}[_r];
        {{v}}[_r] += {{factor}}*{{hines_rhs}}[_r];
    }
{% endblock %}
