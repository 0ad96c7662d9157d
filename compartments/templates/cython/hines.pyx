{# ITERATE_ALL { _idx } #}
{# USES_VARIABLES { N, v, C, gax_parent, hines_parent, hines_rhs, hines_diag, dt } #}
{% extends 'common_group.pyx' %}
{# The tree solve of compartments.tree (Hines 1984): rows are ordered parents first,
   hines_parent[row] is the parent's row (-1 at a root). #}
{% block maincode %}
    # scalar code
    _vectorisation_idx = 1
    {{scalar_code|autoindent}}

    # vector code: membrane current (hines_rhs) and conductance + capacitance/dt (hines_diag)
    for _idx in range(N):
        _vectorisation_idx = _idx
        {{vector_code|autoindent}}

    cdef int _r
    cdef int _p
    cdef double _f
    # axial conductances into the diagonal and the right-hand side
    for _r in range(N):
        _p = {{hines_parent}}[_r]
        if _p >= 0:
            {{hines_diag}}[_r] += {{gax_parent}}[_r]
            {{hines_diag}}[_p] += {{gax_parent}}[_r]
            _f = {{gax_parent}}[_r]*({{v}}[_p] - {{v}}[_r])
            {{hines_rhs}}[_r] += _f
            {{hines_rhs}}[_p] -= _f
    # elimination, leaves first
    for _r in range(N - 1, -1, -1):
        _p = {{hines_parent}}[_r]
        if _p >= 0:
            _f = {{gax_parent}}[_r]/{{hines_diag}}[_r]
            {{hines_diag}}[_p] -= _f*{{gax_parent}}[_r]
            {{hines_rhs}}[_p] += _f*{{hines_rhs}}[_r]
    # back substitution, roots first; hines_rhs holds the voltage change
    for _r in range(N):
        _p = {{hines_parent}}[_r]
        if _p >= 0:
            {{hines_rhs}}[_r] = ({{hines_rhs}}[_r] + {{gax_parent}}[_r]*{{hines_rhs}}[_p])/{{hines_diag}}[_r]
        else:
            {{hines_rhs}}[_r] = {{hines_rhs}}[_r]/{{hines_diag}}[_r]
        {{v}}[_r] += {{factor}}*{{hines_rhs}}[_r]
{% endblock %}
