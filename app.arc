# HemaLink on AWS Lambda through Architect (docs/decisions/063, 064).
# `npm run build:arc` fills build/arc/ (the functions) and build/client (the static files);
# `npm run arc:sandbox` runs it all locally and offline; `npx arc deploy` ships it.
@app
hemalink

# Every page, form and API request: the Remix server build behind @remix-run/architect.
@http
/*
  method any
  src build/arc/http

# The client build (fingerprinted assets, public/), served by Architect's static asset proxy.
@static
folder build/client

# The housekeeping jobs the long-lived server runs on its timer (docs/decisions/033, 064).
@scheduled
consultation-auto-close
  rate 1 hour
  src build/arc/scheduled/consultation-auto-close
session-purge
  rate 1 hour
  src build/arc/scheduled/session-purge
rate-limit-purge
  rate 15 minutes
  src build/arc/scheduled/rate-limit-purge
orphan-sweep
  rate 10 minutes
  src build/arc/scheduled/orphan-sweep

@aws
runtime nodejs20.x
architecture x86_64
memory 1024
timeout 30
