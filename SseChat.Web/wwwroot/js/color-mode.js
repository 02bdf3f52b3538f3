// Follows the operating system's light or dark preference with Bootstrap's color modes. Loaded as a plain,
// blocking script in <head> (not a module, which would be deferred) so the first paint already has the right
// colors; a file rather than an inline script because the Content-Security-Policy allows only 'self' scripts.
(() => {
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = () => document.documentElement.setAttribute('data-bs-theme', dark.matches ? 'dark' : 'light');
  apply();
  dark.addEventListener('change', apply);
})();
