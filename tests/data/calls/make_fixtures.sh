#!/usr/bin/env bash
# Rebuilds the call recordings in this folder from the speech clips in ../asr (see ../ATTRIBUTION.md).
# A three-turn call: customer (right channel) "go forward ten meters", agent (left channel) "feels like
# these days go on forever", customer "one two three"; then written as phone systems write calls.
set -euo pipefail
cd "$(dirname "$0")"
asr=../asr
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The same call as converters write a mono call into a stereo file ("dual mono", both voices on both channels):
# the mono mix copied to both channels as mu-law, and with the right channel 6 dB down and 3 ms late through an
# MP3 that codes each channel on its own (its noise differs between them).
# each side: its speech placed at the call's clock (seconds), silence elsewhere; 11.2 s in all
sox "$asr/pocketsphinx_goforward.wav" "$work/c1.wav" pad 0.3
sox "$asr/speechrecognition_english.wav" "$work/c2.wav" pad 4.9   # starts at 8.0 s after the first line
sox "$work/c1.wav" "$work/c2.wav" "$work/customer.wav"
sox "$work/customer.wav" "$work/customer-fit.wav" pad 0 0.45
sox "$asr/pocketsphinx_forever_2.wav" "$work/agent.wav" pad 3.9 4.0
sox "$work/agent.wav" "$work/agent-fit.wav" trim 0 11.2
sox -M "$work/agent-fit.wav" "$work/customer-fit.wav" "$work/stereo.wav"          # agent left, customer right
sox -m "$work/agent-fit.wav" "$work/customer-fit.wav" "$work/mono.wav"            # both voices on one channel
ffmpeg -loglevel error -y -i "$work/stereo.wav" -codec:a libmp3lame -b:a 48k call-stereo.mp3
ffmpeg -loglevel error -y -i "$work/stereo.wav" -ar 8000 -codec:a pcm_mulaw call-stereo-mulaw-8k.wav
ffmpeg -loglevel error -y -i "$work/stereo.wav" -ar 8000 -codec:a pcm_u8 call-stereo-u8-8k.wav
ffmpeg -loglevel error -y -i "$work/mono.wav" -ar 8000 -codec:a pcm_alaw call-mono-alaw-8k.wav
sox -M "$work/mono.wav" "$work/mono.wav" "$work/dual.wav"
ffmpeg -loglevel error -y -i "$work/dual.wav" -ar 8000 -codec:a pcm_mulaw call-dualmono-mulaw-8k.wav
sox "$work/mono.wav" "$work/late.wav" gain -6 pad 0.003 trim 0 11.2
sox -M "$work/mono.wav" "$work/late.wav" "$work/shifted.wav"
ffmpeg -loglevel error -y -i "$work/shifted.wav" -codec:a libmp3lame -b:a 48k -joint_stereo 0 call-dualmono-shifted.mp3
