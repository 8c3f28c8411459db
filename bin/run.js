#!/usr/bin/env node
// Works as `docker-layers` and as the Docker CLI plugin `docker layers`: src/cli.ts, bundled by `npm run build`.
import '../dist/cli.js'
