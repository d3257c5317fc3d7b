// What every build step is given: the folders of the Heroku build API and the running node.
export interface BuildContext {
  readonly buildDir: string;
  readonly cacheDir: string;
  readonly envDir: string | undefined;
  readonly buildpackDir: string;
  readonly stack: string;
  /** The node binary running the installer: copied into the slug when the app has none. */
  readonly runningNode: string;
}
