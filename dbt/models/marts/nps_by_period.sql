-- NPS per programme and period, every grain (macros/nps.sql: nps_breakdown_mart).
{{ nps_breakdown_mart('overall') }}
