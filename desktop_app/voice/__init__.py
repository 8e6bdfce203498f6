"""Voice: the one door out to the user. The announcer, messages, the phrase catalogue, Nepali
numbers, earcons, audio output and the speech backends. No Qt."""
