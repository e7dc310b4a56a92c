-- Response counts per period grain, period and breakdown: what the NPS marts slice.
{{ config(materialized='table') }}

with

daily as (

    select * from {{ ref('int_nps_counts_daily') }}

),

by_period as (

    {{ sum_by_period(
        'daily', 'response_date',
        ['dimension_kind', 'dimension', 'dimension_value'],
        ['responses', 'promoters', 'passives', 'detractors']
    ) }}

)

select * from by_period
