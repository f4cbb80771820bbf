/** The update types the bot handles; Telegram sends nothing else (chosen_inline_result needs /setinlinefeedback). */
export const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query", "chosen_inline_result", "my_chat_member"] as const;
