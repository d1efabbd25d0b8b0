# English messages of sspr: one per `Message::message_id`, in sentence case, as a person
# reads them. Arguments are named like the fields of the Rust variants; `$until` and
# `$hint` are "none" when the value is not there.

## What makes a password easy to guess (inside password-too-weak)
password-hint-common = it is a very common password
password-hint-similar-to-common = it is close to a common password
password-hint-keyboard-pattern = rows and patterns of keys are easy to guess
password-hint-repeats = repeated characters or groups are easy to guess
password-hint-sequence = sequences like abc or 6543 are easy to guess
password-hint-dates-or-years = dates and years are easy to guess
password-hint-single-word = a word by itself is easy to guess
password-hint-names = names and surnames are easy to guess

## The new password
password-too-short = { $min ->
    [one] The password is too short: use at least 1 character.
   *[other] The password is too short: use at least { $min } characters.
}
password-too-long = The password is too long: use at most { $max } characters.
password-control-character = The password contains a control character such as a tab or a line break: use only characters you can type.
password-mismatch = The two passwords are not the same: type the same new password in both boxes.
password-contains-user-id = The password contains your user ID or user name: choose a password without it.
password-banned = The password contains a word or name your organisation does not allow: choose a different password.
password-too-weak = { $hint ->
    [none] The password is too easy to guess: add another word or two; uncommon words are better.
   *[other] The password is too easy to guess ({ $hint }): add another word or two; uncommon words are better.
}
password-same-as-current = The new password is the same as your current one: choose a different password.

## The user ID
user-id-empty = Enter your user ID, for example name@organisation.example.
user-id-too-long = A user ID has at most { $max_bytes } bytes.
user-id-invalid-character = A user ID cannot contain spaces or control characters.
user-id-invisible-character = A user ID cannot contain invisible characters such as soft hyphens or zero-width spaces: type it instead of pasting it.
user-id-bidi-control = A user ID cannot contain text-direction marks: type it instead of pasting it.

## The characters of the picture or audio clip
answer-empty = No characters were entered: type the characters of the picture or audio clip.
answer-too-long = The input is longer than { $max } characters: type only the characters shown.

## The support request for a new global admin
support-field-name = name
support-field-email-address = email address
support-field-phone-number = phone number
support-field-company-name = company name
support-field-organisation-domain = organisation domain
support-field-explanation = explanation
support-request-missing = Fill in the { $field }.
support-request-too-long = The { $field } has at most { $max } characters.
support-request-control-character = The { $field } contains characters that cannot be typed.
support-request-email = Enter an email address where support can reach you.
support-desk-unavailable = The support desk is unavailable; try again.

## The flow's ID (the link or cookie of a reset)
flow-id-length = A flow ID has 32 characters.
flow-id-character = A flow ID has only the characters 0-9 and a-f.
flow-id-entropy = The operating system's random number generator failed; try again.

## Why a reset locked
lock-challenge-attempts = too many wrong answers to the challenge
lock-code-attempts = too many wrong codes
lock-user-blocked = too many codes or wrong codes for this account
lock-password-attempts = too many new passwords refused

## How a reset ends
ending-personal-account = This is a personal account: recover it with your account provider.
ending-ask-admin = You cannot reset this password yourself: ask your admin to reset it.
ending-locked = { $until ->
    [none] This password reset is locked ({ $reason }). Start again later.
   *[other] This password reset is locked ({ $reason }) until { $until }.
}
ending-expired = This password reset expired: start again.
ending-completed = Your password was changed.

## Refusals a person can fix
refusal-wrong-answer = { $attempts_left ->
    [one] Those are not the characters shown; try the new challenge (1 attempt left).
   *[other] Those are not the characters shown; try the new challenge ({ $attempts_left } attempts left).
}
refusal-challenge-expired = The challenge expired; try the new one.
refusal-no-more-challenges = No more new challenges in this reset; answer this one or start again.
refusal-unknown-method = Choose one of the contact methods shown.
refusal-code-format = Enter the { $digits }-digit code.
refusal-wrong-code = { $attempts_left ->
    [one] That code is not right (1 attempt left).
   *[other] That code is not right ({ $attempts_left } attempts left).
}
refusal-code-expired = The code expired; ask for a new one.
refusal-no-more-resends = No more codes can be sent; use the last one or start again.
service-unavailable = The service is unavailable; try again.

## A stored reset
flow-missing = This password reset is no longer open; start again.
flow-stale = This page is out of date; continue from the latest page.
flow-expired = This password reset expired; start again.
flow-damaged = The stored reset is damaged; start again.
flow-no-challenge = This page has no challenge to show.

## Changing an admin's temporary password
forced-change-wrong-temporary-password = The user ID or the temporary password is not right.
forced-change-temporary-password-expired = The temporary password has expired; ask your admin for a new one.

## An admin's reset
admin-reset-not-allowed = You cannot reset the password of this account.
admin-reset-no-such-user = There is no such account.

## The flow store
store-full = { $capacity ->
    [one] Too many password resets are in progress (1); try again in a few minutes.
   *[other] Too many password resets are in progress ({ $capacity }); try again in a few minutes.
}
store-expired = The reset expired before it could be saved; start again.
store-unavailable = The reset store is unavailable.

## What the delivery service sends
notice-password-changed = The password of your account { $user } was changed. If you did not do this, contact your admin at once.
notice-admin-password-changed = The password of the administrator { $user } of your organisation was reset. If you did not expect this, check that account at once.
code-message = { $digits ->
   *[other] Your { $digits }-digit code to reset your password is { $code }. It works for { $minutes } minutes. Do not give it to anyone.
}

## How a code reaches a person (before a masked address: "text message +31 •• ••• ••78")
contact-email = email
contact-sms = text message
contact-voice = voice call

## Reset links
link-not-valid = This reset link does not work: it is wrong, used, withdrawn or expired. Ask your admin for a new one.

## "Contact your administrator"
notice-reset-requested = { $user } cannot reset their password by themselves and asks you, as an admin who may, to reset it. If you know of no such request, check with them before you do.
contact-admins-too-many = Your admins were already asked several times today: wait for them to answer.
notice-methods-changed = The contact methods of your account { $user } were changed. If you did not do this, contact your admin at once.
registration-wrong-password = The user ID or the password is not right.
registration-change-password-first = Your password is a temporary one: change it first, then register your methods.
registration-too-many-sign-ins = Too many tries for this account: wait an hour, then try again.
registration-invalid-address = This is not an email address or a phone number that can receive a code.
registration-already-registered = This method is registered already.
registration-too-many-methods = An account has at most { $max } methods: remove one first.
registration-no-such-method = There is no such method.
registration-code-format = Enter each { $digits }-digit code you were sent.
registration-wrong-code = A code is not right. { $attempts_left ->
    [one] You have one more try.
   *[other] You have { $attempts_left } more tries.
}
registration-too-many-wrong-codes = Too many wrong codes: begin the registration again.
registration-code-expired = The codes expired: begin the registration again.
registration-too-many-checks = Too many codes were typed for this account today: begin the registration again tomorrow.
registration-too-many-codes = Too many codes were sent for this account: wait an hour, then try again.
registration-blocked = Too many wrong codes for this account: try again after { $until }.
registration-methods-changed = Your methods changed in the meantime: begin the registration again.
registration-delivery-failed = The code could not be delivered: check the address, or try again later.
registration-not-valid = This registration does not work any more: begin again.
