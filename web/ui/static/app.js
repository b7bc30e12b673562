// The workspace's start-up script, loaded after htmx from this server
// (the Content-Security-Policy allows scripts from 'self' only). It keeps
// htmx from evaluating code out of attributes or swapped-in scripts and
// from injecting an inline style sheet, which the policy would refuse.
(function () {
  "use strict";
  if (window.htmx) {
    window.htmx.config.allowEval = false;
    window.htmx.config.allowScripts = false;
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.selfRequestsOnly = true;
  }
})();
