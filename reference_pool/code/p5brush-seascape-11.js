// A moonlit night sea: deep navy sky with a few stars, a full moon casting a silver path on dark water, a black headland at the left.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef0f2');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // night sky, several coats
  const sky = [];
  for (let x = -300; x <= 300; x += 30) sky.push([x, -300]);
  for (let x = 300; x >= -300; x -= 30) sky.push([x, 25]);
  brush.fill('#1e2f5c', 250);
  brush.fillBleed(0.2);
  brush.fillTexture(0.5, 0.3);
  for (let i = 0; i < 3; i++) brush.polygon(sky);
  brush.fill('#3a4f85', 200);
  brush.fillBleed(0.35);
  brush.polygon([[-300, -60], [300, -70], [300, 25], [-300, 25]]);

  // moon with halo
  brush.fill('#8a98c0', 200);
  brush.fillBleed(0.4);
  brush.circle(70, -130, 58);
  brush.wash('#f6efd4', 255);
  brush.circle(70, -130, 34);
  // stars
  for (let i = 0; i < 14; i++) brush.circle(random(-250, 250), random(-250, -30), random(1.2, 2.5));
  brush.noWash();

  // sea
  const sea = [];
  for (let x = -300; x <= 300; x += 30) sea.push([x, 20 + 2 * sin(x * 5)]);
  sea.push([300, 300], [-300, 300]);
  brush.fill('#142347', 250);
  brush.fillBleed(0.15);
  for (let i = 0; i < 3; i++) brush.polygon(sea);

  // moon path: broken silver strokes widening toward the viewer
  brush.set('crayon', '#efe9cf', 2.4);
  for (let i = 0; i < 16; i++) {
    const y = 32 + i * 14 + random(-3, 3);
    const w = 10 + i * 6;
    const x = 70 + random(-w * 0.35, w * 0.35);
    brush.line(x - w / 2, y, x + w / 2, y + random(-1, 1));
  }
  brush.noStroke();

  // headland silhouette
  brush.fill('#0a1022', 255);
  brush.fillBleed(0.05);
  brush.beginShape(0.4);
  brush.vertex(-300, -40); brush.vertex(-230, -70); brush.vertex(-170, -50); brush.vertex(-120, 0);
  brush.vertex(-90, 26); brush.vertex(-300, 30);
  brush.endShape(true);
  brush.polygon([[-300, -40], [-230, -70], [-170, -50], [-120, 0], [-90, 26], [-300, 30]]);
}
