-- NPS per programme, period and channel (macros/nps.sql: nps_breakdown_mart).
{{ nps_breakdown_mart('channel', ['dimension_value as channel']) }}
