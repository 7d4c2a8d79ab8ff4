-- The alumni network's active group may be drawn by lot. The setting keeps the method ('rotation': continuing
-- first, then the longest not active; 'lottery': continuing first, the other places drawn from the LEXIMIN
-- lottery, see crm_app.networks.alumni). A proposal keeps its seed (NULL: not drawn), the lottery_draw
-- it recorded (NULL when no panel met the targets) and what it could not meet (JSON reasons: the targets'
-- least relaxation, too few alumni).
ALTER TABLE alumni_setting ADD COLUMN method VARCHAR DEFAULT 'rotation';
ALTER TABLE alumni_period ADD COLUMN seed BIGINT;
ALTER TABLE alumni_period ADD COLUMN draw_id BIGINT;
ALTER TABLE alumni_period ADD COLUMN unmet VARCHAR;
