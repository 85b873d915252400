-- A person's tokens are listed newest first, a page at a time: the index holds them in that
-- order, so a page is read without sorting all of them. It replaces the index on user_id.
create index access_tokens_user_id_token_id on access_tokens (user_id, token_id);
drop index access_tokens_user_id;
