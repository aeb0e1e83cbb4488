/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/spec/**/*.spec.ts', '<rootDir>/examples/**/*.spec.ts'],
  // examples/angular is its own project (Angular's test runner runs its specs); spec/angular builds and drives it.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/examples/angular/'],
  modulePathIgnorePatterns: ['<rootDir>/examples/angular/'],
  moduleNameMapper: {
    '^rxws$': '<rootDir>/src/index.ts',
    '^rxws/(server|http|tls|testing|redis)$': '<rootDir>/src/$1/index.ts',
  },
  testTimeout: 30000,
  maxWorkers: 2,
};
