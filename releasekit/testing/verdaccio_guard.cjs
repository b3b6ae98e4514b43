// Preloaded into the test Verdaccio (node --require). Verdaccio 9.0.0-next-9.31's staged-tarball
// route sets Content-Length from a stat callback that can fire after streaming began, and answers a
// missing id twice; either throws ERR_HTTP_HEADERS_SENT, which is uncaught: the first kills the
// whole server mid-session, the second resets the keep-alive connection under the next request.
// A header set after the headers went out can have no effect anyway, so drop it instead of throwing.
'use strict'
const http = require('node:http')
const setHeader = http.ServerResponse.prototype.setHeader
http.ServerResponse.prototype.setHeader = function guardedSetHeader (name, value) {
  if (this.headersSent) {
    return this
  }
  return setHeader.call(this, name, value)
}
