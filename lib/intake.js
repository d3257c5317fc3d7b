#!/usr/bin/env node
"use strict";var processIo={stdout:process.stdout,stderr:process.stderr};function runMain(main2){main2(process.argv.slice(2),process.env,processIo).then(code=>{process.exitCode=code},error=>{process.stderr.write(`${error instanceof Error?error.stack??error.message:String(error)}
`),process.exitCode=1})}async function main(_argv,_env,io){return io.stderr.write(`intake not built yet
`),1}runMain(main);
