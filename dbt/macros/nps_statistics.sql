{#- Floating-point constants in the models are written as doubles (`100e0`, `0.75e0`): a
    literal such as 100.0 is a decimal on both engines, and Spark keeps a quotient of
    decimals to as few as 6 decimal places (tests/unit/test_sql_portability.py). -#}

{#- Statistics of the NPS (docs/marts.md: the interval and change columns). Each response is +1 (promoter),
    0 (passive) or -1 (detractor); p and d are the promoter and detractor shares.
    Var = p + d - (p - d)^2; SE = sqrt(Var / n); 95% margin = 100 * 1.96 * SE.
    Adjusted Wald (Rocks 2016): add 0.75 promoters, 1.5 passives, 0.75 detractors
    (n + 3) before computing - much better coverage for small n. -#}

{% macro nps_z_95() %}cast(1.959963984540054e0 as double){% endmacro %}

{#- The variance of one response, from counts. -#}
{% macro nps_variance(promoters, detractors, responses) -%}
    (
        (1e0 * {{ promoters }} / {{ responses }}) + (1e0 * {{ detractors }} / {{ responses }})
        - power((1e0 * {{ promoters }} - {{ detractors }}) / {{ responses }}, 2)
    )
{%- endmacro %}

{#- Counts as the chosen method uses them: 'wald' as observed, 'adjusted_wald' with the
    Rocks adjustment. Returns (promoters, detractors, responses) SQL expressions. -#}
{% macro _nps_method_counts(promoters, detractors, responses, method) -%}
    {%- if method == 'adjusted_wald' -%}
        {{ return(['(' ~ promoters ~ ' + 0.75e0)', '(' ~ detractors ~ ' + 0.75e0)', '(' ~ responses ~ ' + 3)']) }}
    {%- elif method == 'wald' -%}
        {{ return([promoters, detractors, responses]) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("unknown NPS interval method '" ~ method ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- The NPS the interval is centred on (the observed NPS for 'wald'). -#}
{% macro nps_point(promoters, detractors, responses, method='adjusted_wald') -%}
    {%- set p, d, n = _nps_method_counts(promoters, detractors, responses, method) -%}
    (100e0 * ({{ p }} - {{ d }}) / {{ n }})
{%- endmacro %}

{#- 95% margin of error in NPS points. NULL for no responses. -#}
{% macro nps_margin_of_error(promoters, detractors, responses, method='adjusted_wald') -%}
    {%- set p, d, n = _nps_method_counts(promoters, detractors, responses, method) -%}
    case when {{ n }} > 0 then
        100e0 * {{ nps_z_95() }} * sqrt(greatest({{ nps_variance(p, d, n) }}, 0) / {{ n }})
    end
{%- endmacro %}

{#- Interval bounds, clipped to [-100, 100]. -#}
{% macro nps_ci_low(promoters, detractors, responses, method='adjusted_wald') -%}
    greatest(-100e0, {{ nps_point(promoters, detractors, responses, method) }}
        - {{ nps_margin_of_error(promoters, detractors, responses, method) }})
{%- endmacro %}

{% macro nps_ci_high(promoters, detractors, responses, method='adjusted_wald') -%}
    least(100e0, {{ nps_point(promoters, detractors, responses, method) }}
        + {{ nps_margin_of_error(promoters, detractors, responses, method) }})
{%- endmacro %}

{#- Two-sided p-value of a z statistic: 2 * (1 - Phi(|z|)) = 1 - erf(|z| / sqrt 2), with
    erf from Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7); only exp and sqrt, so it
    runs on any warehouse. -#}
{% macro two_sided_p_value(z) -%}
    {%- set y = '(abs(' ~ z ~ ') / sqrt(2e0))' -%}
    {%- set t = '(1e0 / (1e0 + 0.3275911e0 * ' ~ y ~ '))' -%}
    ({{ t }} * (0.254829592e0 + {{ t }} * (-0.284496736e0 + {{ t }} * (1.421413741e0
        + {{ t }} * (-1.453152027e0 + {{ t }} * 1.061405429e0)))) * exp(-{{ y }} * {{ y }}))
{%- endmacro %}

{#- z of the difference between two NPS values (docs/marts.md):
    (NPS1 - NPS2) / (100 * sqrt(Var1/n1 + Var2/n2)), observed variances. NULL when either
    side has no responses or both variances are 0 (then the difference is all or nothing). -#}
{% macro nps_difference_z(p1, d1, n1, p2, d2, n2) -%}
    case when {{ n1 }} > 0 and {{ n2 }} > 0
        and ({{ nps_variance(p1, d1, n1) }} / {{ n1 }} + {{ nps_variance(p2, d2, n2) }} / {{ n2 }}) > 0
    then
        ((100e0 * ({{ p1 }} - {{ d1 }}) / {{ n1 }}) - (100e0 * ({{ p2 }} - {{ d2 }}) / {{ n2 }}))
        / (100e0 * sqrt({{ nps_variance(p1, d1, n1) }} / {{ n1 }} + {{ nps_variance(p2, d2, n2) }} / {{ n2 }}))
    end
{%- endmacro %}

{#- A sum of floating-point terms that does not depend on the order rows arrive in: each
    term is rounded to 12 decimals and added as a decimal (exact), so that two builds of the
    same data give the same bits (tests/integration/test_idempotent_runs.py). `over`: a
    window (its name or its parenthesised definition). -#}
{% macro exact_sum(expression, over=none) -%}
    cast(sum(cast({{ expression }} as decimal(38, 12))){{ ' over ' ~ over if over }} as double)
{%- endmacro %}

{#- The Wilson score interval (95%) of a proportion, `successes` of `n`: `bound` 'low' or
    'high'. It stays inside 0-1 and behaves at 0 and n successes, where the normal
    approximation does not. NULL when n is 0. -#}
{% macro proportion_ci(successes, n, bound) -%}
    {%- set z = nps_z_95() -%}
    {%- set p = '(1e0 * ' ~ successes ~ ' / ' ~ n ~ ')' -%}
    {#- exactly 0 (1) at 0 (n) successes, where rounding would leave 1e-17 -#}
    case
        when {{ n }} = 0 then null
        when {{ successes }} = {{ '0' if bound == 'low' else n }} then {{ '0e0' if bound == 'low' else '1e0' }}
    else
        ({{ p }} + {{ z }} * {{ z }} / (2e0 * {{ n }})
            {{ '-' if bound == 'low' else '+' }} {{ z }} * sqrt(
                {{ p }} * (1e0 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4e0 * {{ n }} * {{ n }})
            ))
        / (1e0 + {{ z }} * {{ z }} / {{ n }})
    end
{%- endmacro %}

{#- `numerator` ÷ `denominator` for money (DECIMAL): as doubles, since Spark keeps a quotient
    of decimals to as few as 6 decimal places; NULL unless the denominator is positive. -#}
{% macro money_ratio(numerator, denominator) -%}
    case when {{ denominator }} > 0 then cast({{ numerator }} as double) / cast({{ denominator }} as double) end
{%- endmacro %}
