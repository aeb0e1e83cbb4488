// The rxws command-line tool.
console.log('rxws');
