-- Which employee groups HR may see (docs/nps.md#employee-anonymity): a group (cell) under
-- k answers (var `enps_min_group`, at least 3) is hidden (primary suppression); wherever a
-- reader could subtract shown groups from a shown group and be left with between 1 and k-1
-- answers (one hidden unit in a breakdown, two small ones whose sum is shown, a week - here
-- a month - hidden inside a shown quarter, a unit that sits inside one region), the
-- smallest shown group inside it is hidden too (complementary suppression). A hidden group
-- hides the same group at finer grains (its months, when a quarter is hidden) and any group
-- with exactly the same answers, so that no finer or equal group gives it away. Again
-- until nothing changes. Each round is a few window functions over the containment pairs
-- (int_employee_containment), the same SQL on DuckDB and Spark. If the rounds run out
-- before nothing changes, every group is hidden: never publish what was not checked.
{#- Spark's analyzer gives up on a statement of this depth after 100 passes by default. -#}
{{ config(pre_hook=([
    "set spark.sql.analyzer.maxIterations = 2000",
    "set spark.sql.optimizer.maxIterations = 2000",
] if target.type == 'spark' else [])) }}
{%- set k = enps_k() %}
{%- set rounds = var('enps_disclosure_rounds') %}
{#- what every round carries over from int_employee_containment -#}
{%- set containment = [
    'outer_cell_id', 'inner_cell_id', 'inner_family_id', 'outer_responses', 'inner_responses',
    'is_self', 'is_same_group', 'is_descendant',
] %}
with

round_0 as (

    select
        {{ containment | join(',\n        ') }},
        outer_responses < {{ k }} as is_outer_hidden,
        inner_responses < {{ k }} as is_inner_hidden

    from {{ ref('int_employee_containment') }}

),
{%- for round in range(1, rounds + 2) %}
{%- set previous = 'round_' ~ (round - 1) %}

-- round {{ round }}: what a reader is left with after subtracting the shown inner groups of
-- one family from a shown outer group, and the smallest shown inner group of that family
residuals_{{ round }} as (

    select
        {{ previous }}.*,
        {{ previous }}.outer_responses - sum(
            case when not {{ previous }}.is_self and not {{ previous }}.is_inner_hidden
                    then {{ previous }}.inner_responses
                else 0
            end
        ) over (partition by {{ previous }}.outer_cell_id, {{ previous }}.inner_family_id) as residual,
        row_number() over (
            partition by {{ previous }}.outer_cell_id, {{ previous }}.inner_family_id
            order by
                case when {{ previous }}.is_self or {{ previous }}.is_inner_hidden then 1 else 0 end,
                {{ previous }}.inner_responses,
                {{ previous }}.inner_cell_id
        ) as pick_rank

    from {{ previous }}

),

picks_{{ round }} as (

    select
        residuals_{{ round }}.*,
        not residuals_{{ round }}.is_outer_hidden
        and not residuals_{{ round }}.is_self
        and not residuals_{{ round }}.is_inner_hidden
        and residuals_{{ round }}.residual > 0
        and residuals_{{ round }}.residual < {{ k }}
        and residuals_{{ round }}.pick_rank = 1 as is_pick

    from residuals_{{ round }}

),

inner_verdicts_{{ round }} as (

    select
        picks_{{ round }}.*,
        picks_{{ round }}.is_inner_hidden
        or max(
            case
                when picks_{{ round }}.is_pick then 1
                -- hidden with its coarser self, or with a group of the same answers
                when
                    picks_{{ round }}.is_outer_hidden
                    and (picks_{{ round }}.is_descendant or picks_{{ round }}.is_same_group)
                    then 1
                else 0
            end
        ) over (partition by picks_{{ round }}.inner_cell_id) = 1 as is_inner_hidden_next

    from picks_{{ round }}

),
{%- if round <= rounds %}

round_{{ round }} as (

    select
        {{ containment | join(',\n        ') }},
        max(case when is_self and is_inner_hidden_next then 1 else 0 end)
            over (partition by outer_cell_id)
        = 1 as is_outer_hidden,
        is_inner_hidden_next as is_inner_hidden

    from inner_verdicts_{{ round }}

),
{%- endif %}
{%- endfor %}

converged as (

    -- one more round would change nothing
    select count(case when is_inner_hidden_next and not is_inner_hidden then 1 end) = 0 as is_converged
    from inner_verdicts_{{ rounds + 1 }}

),

final as (

    select
        last_round.inner_cell_id as cell_id,
        last_round.inner_responses < {{ k }} as is_primary_suppressed,
        last_round.is_inner_hidden or not converged.is_converged as is_suppressed,
        converged.is_converged

    from round_{{ rounds }} as last_round
    cross join converged
    where last_round.is_self

)

select * from final
