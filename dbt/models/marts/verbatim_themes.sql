-- The themes of each verbatim, one row per verbatim and theme (the bridge BI tools join).
with

themes as (

    select * from {{ ref('int_verbatim_themes') }}

),

verbatims as (

    select * from {{ ref('int_verbatims_unpivoted') }}

),

final as (

    select
        themes.verbatim_id,
        verbatims.response_id,
        verbatims.text_field,
        themes.theme,
        themes.is_override

    from themes
    inner join verbatims on themes.verbatim_id = verbatims.verbatim_id

)

select * from final
