// Stylesheets imported for esbuild to bundle next to app.js (lib/intake-ui/app.css).
declare module '*.css';
