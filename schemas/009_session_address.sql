-- Where a session was started from: the client address as Streamlit reports it (staff addresses;
-- NULL on localhost, behind a same-host proxy and for sessions started before this column existed),
-- so an administrator can tell the sessions of one account apart. Never the token.
ALTER TABLE app_session ADD COLUMN address VARCHAR;
