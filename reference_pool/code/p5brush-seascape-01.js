// A teal coastal sea: layered turquoise and deep teal bands, dark rocks with white surf, pale mint sky.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f2f3ee');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  // sky
  brush.fill('#b5dcd6', 220);
  brush.fillBleed(0.25);
  brush.fillTexture(0.4, 0.3);
  brush.rect(-256, -256, 512, 230);
  // clouds
  brush.fill('#ffffff', 230);
  brush.fillBleed(0.35);
  brush.circle(-120, -170, 40);
  brush.circle(-80, -160, 32);
  brush.circle(130, -190, 30);

  // sea bands, far to near
  const bands = [['#2a8c8a', -30, 60], ['#1f7a7d', 20, 80], ['#3aa6a0', 90, 70], ['#176a72', 150, 120]];
  for (const [c, y, h] of bands) {
    brush.fill(c, 200);
    brush.fillBleed(0.2, 'out', 0);
    brush.fillTexture(0.5, 0.5);
    brush.rect(-256, y, 512, h);
  }
  // horizon line
  brush.set('HB', '#145b60', 0.8);
  brush.line(-256, -28, 256, -28);

  // rocks
  brush.noStroke();
  brush.wash('#34403f', 200);
  brush.beginShape(0.4);
  brush.vertex(120, 120); brush.vertex(160, 60); brush.vertex(210, 50); brush.vertex(256, 80); brush.vertex(256, 150); brush.vertex(110, 150);
  brush.endShape(true);
  brush.noWash();
  brush.fill('#2f3a3c', 220);
  brush.fillBleed(0.15);
  brush.beginShape(0.4);
  brush.vertex(120, 120); brush.vertex(160, 60); brush.vertex(210, 50); brush.vertex(256, 80); brush.vertex(256, 150); brush.vertex(110, 150);
  brush.endShape(true);
  brush.fill('#46524f', 200);
  brush.beginShape(0.4);
  brush.vertex(70, 150); brush.vertex(95, 115); brush.vertex(140, 110); brush.vertex(160, 150);
  brush.endShape(true);

  // surf and wave strokes
  brush.set('marker', '#f3fbf8', 1.3);
  brush.spline([[60, 150], [110, 140], [150, 148], [256, 145]], 0.5);
  brush.spline([[100, 120], [130, 100], [170, 95]], 0.5);
  brush.set('HB', '#e6f5f1', 0.9);
  for (let i = 0; i < 10; i++) {
    const x = random(-250, 60), y = random(0, 230);
    brush.spline([[x, y], [x + 20, y - 4], [x + 45, y]], 0.7);
  }
}
