// Rolling green hills under a wide, pale sky, a single farmhouse on the far crest and a line of hedges in the distance.
// Written for the task from the loved reference p5brush-landscape-05 (its layered ridges): a wider, paler sky,
// the farmhouse moved to the left, a line of dark hedges along the far ridge instead of the cypresses and road.
function ridge(base, amp, k) {
  const pts = [[-300, 300]];
  for (let x = -300; x <= 300; x += 30) pts.push([x, base - amp * sin(x * 0.45 + k * 80) - 12 * noise(x * 0.01 + k)]);
  pts.push([300, 300]);
  return pts;
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7f4ea');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // a wide, pale sky: a thin blue wash high up, warm paper near the hills
  const sky = [];
  for (let x = -300; x <= 300; x += 30) sky.push([x, -300]);
  for (let x = 300; x >= -300; x -= 30) sky.push([x, -110 + 10 * sin(x * 1.1)]);
  brush.fill('#cfe0ea', 200);
  brush.fillBleed(0.35);
  brush.fillTexture(0.45, 0.3);
  brush.polygon(sky);
  brush.fill('#e9f1e0', 160);
  brush.polygon([[-300, -100], [300, -110], [300, -20], [-300, -20]]);

  // the farmhouse on the far crest, painted before the hill so it sits on it
  brush.fill('#e8c48a', 255);
  brush.fillBleed(0.03);
  brush.polygon([[-120, -44], [-78, -44], [-78, -18], [-120, -18]]);
  brush.polygon([[-120, -44], [-78, -44], [-78, -18], [-120, -18]]);
  brush.fill('#b5523a', 255);
  brush.polygon([[-126, -42], [-99, -60], [-72, -42]]);
  brush.polygon([[-126, -42], [-99, -60], [-72, -42]]);

  // hills back to front
  const hills = [['#c8d8a0', -20, 22, 1], ['#a3c27a', 40, 32, 2], ['#8ab17d', 110, 38, 2], ['#5f8f4e', 185, 34, 2]];
  for (let k = 0; k < hills.length; k++) {
    const [c, base, amp, coats] = hills[k];
    brush.fill(c, 245);
    brush.fillBleed(0.18);
    brush.fillTexture(0.5, 0.3);
    for (let i = 0; i < coats; i++) brush.polygon(ridge(base, amp, k));
  }

  // a line of hedges in the distance, along the second ridge: one wash with a bumpy top
  const ridgeY = (x) => 40 - 32 * sin(x * 0.45 + 80) - 12 * noise(x * 0.01 + 1);
  const hedge = [];
  for (let x = -300; x <= 300; x += 12) hedge.push([x, ridgeY(x) - 10 - 6 * abs(sin(x * 9)) - 4 * noise(x * 0.05)]);
  for (let x = 300; x >= -300; x -= 30) hedge.push([x, ridgeY(x) + 6]);
  brush.fill('#3f6b3a', 240);
  brush.fillBleed(0.08);
  brush.fillTexture(0.4, 0.3);
  brush.polygon(hedge);
}
