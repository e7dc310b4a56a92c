-- The language of each verbatim: the language with the most marker words (seed
-- verbatim_language_markers); without a clear winner, Danish for æ/ø, Swedish for ä/ö,
-- else unknown.
-- Incremental by landed file: the folder's config (dbt_project.yml, macros/incremental.sql).
with

verbatims as (

    select * from {{ ref('int_verbatims_unpivoted') }}
    where {{ only_changed_files() }}

),

words as (

    select * from {{ ref('int_verbatim_words') }}
    where {{ only_changed_files() }}

),

markers as (

    select * from {{ ref('verbatim_language_markers') }}

),

scored as (

    select
        words.verbatim_id,
        markers.language,
        count(*) as marker_words

    from words
    inner join markers on words.word = markers.word
    group by words.verbatim_id, markers.language

),

ranked as (

    select
        verbatim_id,
        language,
        marker_words,
        rank() over (partition by verbatim_id order by marker_words desc) as language_rank,
        count(*) over (partition by verbatim_id, marker_words) as tied

    from scored

),

winners as (

    select
        verbatim_id,
        language
    from ranked
    where language_rank = 1 and tied = 1

),

final as (

    select
        verbatims.verbatim_id,
        verbatims.source_file_id,
        coalesce(
            winners.language,
            case
                when {{ text_matches('lower(verbatims.verbatim_text)', "'[æø]'") }} then 'da'
                when {{ text_matches('lower(verbatims.verbatim_text)', "'[äö]'") }} then 'sv'
                else 'unknown'
            end
        ) as language

    from verbatims
    left join winners on verbatims.verbatim_id = winners.verbatim_id

)

select * from final
