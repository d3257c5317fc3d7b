#!/usr/bin/env node
"use strict";var processIo={stdout:process.stdout,stderr:process.stderr};function runMain(main2){main2(process.argv.slice(2),process.env,processIo).then(code=>{process.exitCode=code},error=>{process.stderr.write(`${error instanceof Error?error.stack??error.message:String(error)}
`),process.exitCode=1})}var BUILDPACK_VERSION="0.1.0";async function main(argv,_env,io){return argv[0]==="--version"?(io.stdout.write(`${BUILDPACK_VERSION}
`),0):(io.stderr.write(`usage: agent-wrapper <command>
`),2)}runMain(main);
