# The terminal example's own texts (the crate's messages come from sspr::locale).
cli-leave = Type quit at any prompt to leave.
cli-goodbye = Goodbye.
cli-input-ended = The input ended: goodbye.
cli-start-again = Press Enter to start again.
cli-account-type = Can't access your account? Which kind of account is it?
    1) Work or school account
    2) Personal account
cli-type-1-or-2 = Type 1 or 2.
cli-challenge-prompt = Type the characters, or: { $other } (switch) · new (another one) · quit
cli-already-kind = This is already the { $kind } challenge.
cli-challenge-shown = { $kind ->
    [image] The picture: { $path } ({ $kb } KB). Open it and type the characters you see.
   *[audio] The audio clip: { $path } ({ $kb } KB). Play it and type the digits you hear.
}
cli-challenge-not-written = The challenge could not be written: type { $other } or new.
cli-user-id = User ID (for example jan.jansen@contoso.nl):
cli-where-code = Where should the code go? Type its number.
cli-type-number = Type one of the numbers shown.
cli-prove = Prove it's your account: verification { $step } of { $required }.
cli-verified = (verified ✔)
cli-code-prompt = Type the code, or: resend · back (another method) · quit
cli-code-sent-to = A code was sent to { $to }.
cli-code-sent-concealed = If this account can reset its password, a code was sent.
cli-code-works = It works until { $until }; { $attempts_left ->
    [one] 1 wrong try left.
   *[other] { $attempts_left } wrong tries left.
}
cli-choose-password = Choose a new password for { $user }: { $min } to { $max } characters; a few uncommon words work well.
cli-shows-typing = (This demo shows what you type; a real host hides it.)
cli-new-password = New password:
cli-again = Type it again:
cli-checking = Checking it (an allowed password is hashed with Argon2id)...
cli-completed = Your password was changed. Sign in with it from now on; the host ends your other sessions.
cli-image = image
cli-audio = audio
