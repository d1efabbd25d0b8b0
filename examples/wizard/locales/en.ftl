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
cli-menu = What do you want to do? Type its number.
    1) Reset my password ("Can't access your account?")
    2) Sign in with a temporary password and change it
    3) Register or change my contact methods
    4) Ask my admins to reset my password
    5) As an admin: reset a user's password to a temporary one
    6) As an admin: send a user a reset link
    7) Use a reset link
    8) Ask support for a new global admin (ours has left)
cli-type-menu = Type a number from 1 to 8.
cli-admin-id = Your user ID, as an admin (for example beheerder@contoso.nl):
cli-target-id = The user ID of the account to reset:
cli-temporary-password = The temporary password of { $user } is { $password } (shown once; it works until { $until }). Give it to them by a channel of your own.
cli-admin-refused = Refused: { $reason }
cli-link-sent = A reset link for { $user } works once, until { $until }. The host mails it; here is its token: { $token }
cli-link-token = The token of the reset link:
cli-temporary-prompt = Your temporary password:
cli-changed = Your password was changed.
cli-password = Your password:
cli-registration-action = What do you want to do with your methods?
    1) Add a method
    2) Replace a method
    3) Remove a method
    4) Confirm they are still right
cli-registration-kind = Which kind? 1) email  2) text message  3) voice call
cli-registration-address = The email address or phone number:
cli-registration-which = Which method? Type its number.
cli-registration-methods = Your methods now:
cli-registration-new-code = Type the code sent to { $to }:
cli-registration-current-code = Type the code sent to { $to } (a method you already have):
cli-registration-proved = That code was right: it is you. A code went to the new method.
cli-registration-done = Done: your methods were saved (confirmed { $at }).
cli-asked-admins = If this account exists and an admin may reset it, its admins were asked.
cli-support-name = Your name:
cli-support-email = Your email address:
cli-support-phone = Your phone number:
cli-support-company = Your company's name:
cli-support-domain = Your organisation's domain (for example contoso.nl):
cli-support-explanation = What happened (for example: our global admin left in March):
cli-support-filed = Support filed ticket { $ticket }: they will contact you to check who you are.
